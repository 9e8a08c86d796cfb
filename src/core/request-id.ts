// Where a create's request id is kept on what it made: the node finds a retried create's server by it, and a client
// whose wait was cut short finds the server it asked for by it (the name alone may be taken twice).

/** The metadata key (servers) and image property holding the request id of the call that created the object. */
export const REQUEST_ID_METADATA_KEY = 'oaktree_request_id';

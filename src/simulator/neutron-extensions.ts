// Neutron's extension list as Zed answers it: each alias with its own human name and date (copied from the real
// cloud), for the features the simulator implements.
const EXTENSIONS: Array<[alias: string, name: string, updated: string]> = [
  ['allowed-address-pairs', 'Allowed Address Pairs', '2013-07-23T10:00:00-00:00'],
  ['availability_zone', 'Availability Zone', '2015-01-01T10:00:00-00:00'],
  ['binding', 'Port Binding', '2014-02-03T10:00:00-00:00'],
  ['external-net', 'Neutron external network', '2013-01-14T10:00:00-00:00'],
  ['extraroute', 'Neutron Extra Route', '2013-02-01T10:00:00-00:00'],
  ['ext-gw-mode', 'Neutron L3 Configurable external gateway mode', '2013-03-28T10:00:00-00:00'],
  ['fip-port-details', 'Floating IP Port Details Extension', '2018-04-09T10:00:00-00:00'],
  ['net-mtu', 'Network MTU', '2015-03-25T10:00:00-00:00'],
  ['net-mtu-writable', 'Network MTU (writable)', '2017-07-12T00:00:00-00:00'],
  ['network_availability_zone', 'Network Availability Zone', '2015-01-01T10:00:00-00:00'],
  ['port-security', 'Port Security', '2012-07-23T10:00:00-00:00'],
  ['project-id', 'project_id field enabled', '2016-09-09T09:09:09-09:09'],
  ['quotas', 'Quota management support', '2012-07-29T10:00:00-00:00'],
  ['quota_details', 'Quota details management support', '2017-02-10T10:00:00-00:00'],
  ['router', 'Neutron L3 Router', '2012-07-20T10:00:00-00:00'],
  ['router_availability_zone', 'Router Availability Zone', '2015-01-01T10:00:00-00:00'],
  ['security-group', 'security-group', '2012-10-05T10:00:00-00:00'],
  ['standard-attr-description', 'standard-attr-description', '2016-02-10T10:00:00-00:00'],
  ['standard-attr-revisions', 'Resource revision numbers', '2016-04-11T10:00:00-00:00'],
  [
    'standard-attr-tag',
    'Tag support for resources with standard attribute: port, subnet, subnetpool, network, security_group, router, floatingip, policy, trunk, network_segment_range',
    '2017-01-01T00:00:00-00:00',
  ],
  ['standard-attr-timestamp', 'Resource timestamps', '2016-09-12T10:00:00-00:00'],
];

/** GET /v2.0/extensions. */
export function extensionList() {
  return EXTENSIONS.map(([alias, name, updated]) => ({ alias, name, description: name, links: [], updated }));
}

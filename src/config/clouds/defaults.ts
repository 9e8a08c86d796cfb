/**
 * openstacksdk's openstack/config/defaults.json, restricted to the keys oaktree reads.
 * Applied under vendor profiles and clouds.yaml, exactly like openstacksdk does.
 */
export const CLOUD_DEFAULTS: Readonly<Record<string, unknown>> = Object.freeze({
  auth_type: 'password',
  interface: 'public',
  floating_ip_source: 'neutron',
  secgroup_source: 'neutron',
  image_api_use_tasks: false,
  image_format: 'qcow2',
  image_status_code_retries: 5,
  network_api_version: '2',
  identity_api_version: '3',
});

/** keystoneauth's default when api_timeout is not set is "no timeout"; oaktree never waits forever. */
export const DEFAULT_API_TIMEOUT_SECONDS = 30;

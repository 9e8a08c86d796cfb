# test/real/devcloud/config.sh - the OpenStack service configuration, sourced by
# up.sh (needs lib.sh's settings plus up.sh's DEBUG, DBURL, MQURL, KS_URL, put).
# write_configs rewrites a file only when its content changes, so a re-run with
# the same settings leaves fingerprints alone and restarts nothing.

# [keystone_authtoken] for a service's API: validate incoming tokens as USER
authtoken_section() { # user
  cat <<EOF
[keystone_authtoken]
www_authenticate_uri = http://$IP:$KEYSTONE_PORT
auth_url = http://$IP:$KEYSTONE_PORT
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $1
password = $PW
service_token_roles_required = true
EOF
}
# credentials a service uses to call another one
client_section() { # section user
  cat <<EOF
[$1]
auth_type = password
auth_url = http://$IP:$KEYSTONE_PORT
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $2
password = $PW
region_name = RegionOne
EOF
}
common_default() { # extra lines of [DEFAULT] follow on stdin
  echo "[DEFAULT]"; echo "debug = $DEBUG"; cat
}
rabbit_section() {
  # AMQP heartbeats off: one green thread less per connection; on 127.0.0.1 there
  # are no silently dropped connections to detect
  printf '[oslo_messaging_rabbit]\nheartbeat_timeout_threshold = 0\n'
}

write_keystone() {
  common_default <<EOF | put "$ETC/keystone/keystone.conf"

[database]
connection = $DBURL/keystone
[token]
provider = fernet
[fernet_tokens]
key_repository = $DATA/keystone/fernet-keys
[fernet_receipts]
key_repository = $DATA/keystone/fernet-keys
[credential]
key_repository = $DATA/keystone/credential-keys
[identity]
# bcrypt cost 4 (default 12): a token costs ~0.05 s instead of ~0.5 s. Test cloud only.
password_hash_rounds = 4
[cache]
# in-process cache (keystone runs as one uwsgi process)
enabled = true
backend = dogpile.cache.memory
EOF
}

write_placement() {
  { common_default <<EOF
[placement_database]
connection = $DBURL/placement
[api]
auth_strategy = keystone
EOF
    authtoken_section placement; } | put "$ETC/placement/placement.conf"
}

write_glance() {
  { common_default <<EOF
bind_host = $IP
bind_port = $GLANCE_PORT
workers = 0
enabled_backends = fs:file
[database]
connection = $DBURL/glance
[glance_store]
default_backend = fs
[fs]
filesystem_store_datadir = $DATA/glance/images
[os_glance_staging_store]
filesystem_store_datadir = $DATA/glance/staging
[os_glance_tasks_store]
filesystem_store_datadir = $DATA/glance/tasks
[paste_deploy]
flavor = keystone
config_file = $ETC/glance/glance-api-paste.ini
[oslo_concurrency]
lock_path = $DATA/glance/locks
EOF
    authtoken_section glance; } | put "$ETC/glance/glance-api.conf"
  put "$ETC/glance/glance-api-paste.ini" <<'EOF'
[pipeline:glance-api-keystone]
pipeline = cors healthcheck http_proxy_to_wsgi versionnegotiation authtoken context rootapp
[composite:rootapp]
paste.composite_factory = glance.api:root_app_factory
/: apiversions
/v2: apiv2app
[app:apiversions]
paste.app_factory = glance.api.versions:create_resource
[app:apiv2app]
paste.app_factory = glance.api.v2.router:API.factory
[filter:healthcheck]
paste.filter_factory = oslo_middleware:Healthcheck.factory
backends = disable_by_file
disable_by_file_path = /nonexistent/healthcheck_disable
[filter:versionnegotiation]
paste.filter_factory = glance.api.middleware.version_negotiation:VersionNegotiationFilter.factory
[filter:context]
paste.filter_factory = glance.api.middleware.context:ContextMiddleware.factory
[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
delay_auth_decision = true
[filter:cors]
paste.filter_factory = oslo_middleware.cors:filter_factory
oslo_config_project = glance
oslo_config_program = glance-api
[filter:http_proxy_to_wsgi]
paste.filter_factory = oslo_middleware:HTTPProxyToWSGI.factory
EOF
}

# nova.conf minus the DB sections (shared by all nova services)
nova_base() {
  common_default <<EOF
transport_url = $MQURL
my_ip = $IP
state_path = $DATA/nova
compute_driver = fake.FakeDriver
# nothing plugs VIFs: do not wait for neutron's vif-plugged event
vif_plugging_is_fatal = false
vif_plugging_timeout = 0
[api]
auth_strategy = keystone
[wsgi]
api_paste_config = $ETC/nova/api-paste.ini
[conductor]
workers = 1
[scheduler]
workers = 1
discover_hosts_in_cells_interval = 10
[oslo_concurrency]
lock_path = $DATA/nova/locks
[vnc]
enabled = false
[glance]
region_name = RegionOne
[cinder]
os_region_name = RegionOne
EOF
  rabbit_section; authtoken_section nova
  client_section placement nova; client_section neutron nova
  client_section service_user nova; echo "send_service_user_token = true"
}

write_nova() {
  # API, conductor, scheduler: with DB access
  { nova_base; cat <<EOF
[api_database]
connection = $DBURL/nova_api
[database]
connection = $DBURL/nova
EOF
  } | put "$ETC/nova/nova.conf"
  # compute: no DB credentials (nova-compute refuses direct DB access) + its host name
  nova_base | sed "s/^\[DEFAULT\]\$/[DEFAULT]\nhost = $COMPUTE_HOST/" | put "$ETC/nova/nova-compute.conf"
  put "$ETC/nova/api-paste.ini" <<'EOF'
[composite:osapi_compute]
use = call:nova.api.openstack.urlmap:urlmap_factory
/: oscomputeversions
/v2.1: oscomputeversion_v2
/v2.1/+: openstack_compute_api_v21
[composite:openstack_compute_api_v21]
use = call:nova.api.auth:pipeline_factory_v21
keystone = cors http_proxy_to_wsgi compute_req_id faultwrap request_log sizelimit authtoken keystonecontext osapi_compute_app_v21
[filter:request_log]
paste.filter_factory = nova.api.openstack.requestlog:RequestLog.factory
[filter:compute_req_id]
paste.filter_factory = nova.api.compute_req_id:ComputeReqIdMiddleware.factory
[filter:faultwrap]
paste.filter_factory = nova.api.openstack:FaultWrapper.factory
[filter:sizelimit]
paste.filter_factory = oslo_middleware:RequestBodySizeLimiter.factory
[filter:http_proxy_to_wsgi]
paste.filter_factory = oslo_middleware.http_proxy_to_wsgi:HTTPProxyToWSGI.factory
[app:osapi_compute_app_v21]
paste.app_factory = nova.api.openstack.compute:APIRouterV21.factory
[pipeline:oscomputeversions]
pipeline = cors faultwrap request_log http_proxy_to_wsgi oscomputeversionapp
[pipeline:oscomputeversion_v2]
pipeline = cors compute_req_id faultwrap request_log http_proxy_to_wsgi oscomputeversionapp_v2
[app:oscomputeversionapp]
paste.app_factory = nova.api.openstack.compute.versions:Versions.factory
[app:oscomputeversionapp_v2]
paste.app_factory = nova.api.openstack.compute.versions:VersionsV2.factory
[filter:cors]
paste.filter_factory = oslo_middleware.cors:filter_factory
oslo_config_project = nova
[filter:keystonecontext]
paste.filter_factory = nova.api.auth:NovaKeystoneContext.factory
[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
EOF
}

write_neutron() {
  { common_default <<EOF
bind_host = $IP
bind_port = $NEUTRON_PORT
core_plugin = ml2
service_plugins = router
auth_strategy = keystone
transport_url = $MQURL
state_path = $DATA/neutron
api_paste_config = $ETC/neutron/api-paste.ini
api_workers = 1
rpc_workers = 1
rpc_state_report_workers = 0
allow_overlapping_ips = true
dhcp_agent_notification = false
notify_nova_on_port_status_changes = true
notify_nova_on_port_data_changes = true
[database]
connection = $DBURL/neutron
[oslo_concurrency]
lock_path = $DATA/neutron/locks
EOF
    rabbit_section; authtoken_section neutron; client_section nova neutron; } \
    | put "$ETC/neutron/neutron.conf"
  put "$ETC/neutron/ml2_conf.ini" <<EOF
[ml2]
type_drivers = flat,vxlan
tenant_network_types = vxlan
# our own driver (oaktree_devcloud_ml2.py): binds every normal port, no agent
mechanism_drivers = oaktree_bindall
extension_drivers = port_security
[ml2_type_flat]
flat_networks = public
[ml2_type_vxlan]
vni_ranges = 1:1000
[securitygroup]
enable_security_group = true
EOF
  put "$ETC/neutron/api-paste.ini" <<'EOF'
[composite:neutron]
use = egg:Paste#urlmap
/: neutronversions_composite
/v2.0: neutronapi_v2_0
[composite:neutronapi_v2_0]
use = call:neutron.auth:pipeline_factory
keystone = cors http_proxy_to_wsgi request_id catch_errors authtoken keystonecontext extensions neutronapiapp_v2_0
[composite:neutronversions_composite]
use = call:neutron.auth:pipeline_factory
keystone = cors http_proxy_to_wsgi neutronversions
[filter:request_id]
paste.filter_factory = oslo_middleware:RequestId.factory
[filter:catch_errors]
paste.filter_factory = oslo_middleware:CatchErrors.factory
[filter:cors]
paste.filter_factory = oslo_middleware.cors:filter_factory
oslo_config_project = neutron
[filter:http_proxy_to_wsgi]
paste.filter_factory = oslo_middleware.http_proxy_to_wsgi:HTTPProxyToWSGI.factory
[filter:keystonecontext]
paste.filter_factory = neutron.auth:NeutronKeystoneContext.factory
[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
[filter:extensions]
paste.filter_factory = neutron.api.extensions:plugin_aware_extension_middleware_factory
[app:neutronversions]
paste.app_factory = neutron.pecan_wsgi.app:versions_factory
[app:neutronapiapp_v2_0]
paste.app_factory = neutron.api.v2.router:APIRouter.factory
EOF
}

write_cinder() {
  { common_default <<EOF
transport_url = $MQURL
auth_strategy = keystone
my_ip = $IP
state_path = $DATA/cinder
api_paste_config = $ETC/cinder/api-paste.ini
osapi_volume_workers = 1
resource_query_filters_file = $ETC/cinder/resource_filters.json
enabled_backends = fake
glance_api_servers = http://$IP:$GLANCE_PORT
[database]
connection = $DBURL/cinder
[oslo_concurrency]
lock_path = $DATA/cinder/locks
[fake]
# logging-only driver shipped in python3-cinder's test tree: volumes are records
volume_driver = cinder.tests.fake_driver.FakeLoggingVolumeDriver
volume_backend_name = fake
EOF
    rabbit_section; authtoken_section cinder; client_section nova cinder
    client_section service_user cinder; echo "send_service_user_token = true"; } \
    | put "$ETC/cinder/cinder.conf"
  # which query filters non-admins may use (cinder-common ships this file in
  # /etc/cinder; without it "openstack volume show NAME" fails for the demo user)
  put "$ETC/cinder/resource_filters.json" <<'EOF'
{
  "volume": ["name", "status", "metadata", "bootable", "migration_status",
             "availability_zone", "group_id", "size", "created_at", "updated_at"],
  "backup": ["name", "status", "volume_id"],
  "snapshot": ["name", "status", "volume_id", "metadata", "availability_zone"],
  "group": [],
  "group_snapshot": ["status", "group_id"],
  "attachment": ["volume_id", "status", "instance_id", "attach_status"],
  "message": ["resource_uuid", "resource_type", "event_id", "request_id", "message_level"],
  "pool": ["name", "volume_type"],
  "volume_type": ["is_public"]
}
EOF
  put "$ETC/cinder/api-paste.ini" <<'EOF'
[composite:osapi_volume]
use = call:cinder.api:root_app_factory
/: apiversions
/v3: openstack_volume_api_v3
[composite:openstack_volume_api_v3]
use = call:cinder.api.middleware.auth:pipeline_factory
keystone = cors http_proxy_to_wsgi request_id faultwrap sizelimit authtoken keystonecontext apiv3
[filter:request_id]
paste.filter_factory = oslo_middleware.request_id:RequestId.factory
[filter:http_proxy_to_wsgi]
paste.filter_factory = oslo_middleware.http_proxy_to_wsgi:HTTPProxyToWSGI.factory
[filter:cors]
paste.filter_factory = oslo_middleware.cors:filter_factory
oslo_config_project = cinder
[filter:faultwrap]
paste.filter_factory = cinder.api.middleware.fault:FaultWrapper.factory
[filter:sizelimit]
paste.filter_factory = oslo_middleware.sizelimit:RequestBodySizeLimiter.factory
[app:apiv3]
paste.app_factory = cinder.api.v3.router:APIRouter.factory
[pipeline:apiversions]
pipeline = cors http_proxy_to_wsgi faultwrap osvolumeversionapp
[app:osvolumeversionapp]
paste.app_factory = cinder.api.versions:Versions.factory
[filter:keystonecontext]
paste.filter_factory = cinder.api.middleware.auth:CinderKeystoneContext.factory
[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
EOF
}

write_configs() {
  mkdir -p "$ETC"/{keystone,glance,placement,nova,neutron,cinder} \
    "$DATA"/{keystone,glance,nova,neutron,cinder}
  write_keystone; write_placement; write_glance; write_nova; write_neutron; write_cinder
  say "config in $ETC"
}

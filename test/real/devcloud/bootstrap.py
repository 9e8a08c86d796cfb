"""Idempotent API-level setup of the devcloud, run by up.sh with Debian's python3.

    bootstrap.py identity    service project/users/roles, catalog, demo project/user
    bootstrap.py resources   flavors, image, public/private networks, router,
                             security group rules, demo quotas

Reads clouds.yaml from OS_CLIENT_CONFIG_FILE (clouds devcloud-admin, devcloud),
the password from DEVCLOUD_PASSWORD and the endpoint URLs from DEVCLOUD_URL_*.
"""
import os
import sys
import warnings

warnings.filterwarnings("ignore")
import openstack  # noqa: E402

PW = os.environ["DEVCLOUD_PASSWORD"]
REGION = "RegionOne"


def url(name):
    return os.environ["DEVCLOUD_URL_" + name.upper()]


def identity():
    c = openstack.connect(cloud="devcloud-admin")
    idp = c.identity
    dom = idp.find_domain("default")

    # look names up with list filters: find_*() first tries GET /<name> as an
    # id, and every such 404 puts a traceback into keystone.log
    def first(items):
        return next(iter(items), None)

    def project(name, desc):
        return (first(idp.projects(name=name, domain_id=dom.id))
                or idp.create_project(name=name, domain_id=dom.id, description=desc))

    def user(name, proj):
        return (first(idp.users(name=name, domain_id=dom.id))
                or idp.create_user(name=name, password=PW, domain_id=dom.id,
                                   default_project_id=proj.id))

    def role(name):
        return first(idp.roles(name=name)) or idp.create_role(name=name)

    service_p = project("service", "OpenStack service users")
    demo_p = project("demo", "oaktree devcloud demo project")
    admin_r, member_r, reader_r, service_r = (role(r) for r in ("admin", "member", "reader", "service"))

    # (service name, type, url, user)
    catalog = [
        ("glance", "image", url("image"), "glance"),
        ("placement", "placement", url("placement"), "placement"),
        ("nova", "compute", url("compute"), "nova"),
        ("neutron", "network", url("network"), "neutron"),
        ("cinderv3", "volumev3", url("volume"), "cinder"),
        ("cinder", "block-storage", url("volume"), "cinder"),
    ]
    services = list(idp.services())
    for name, stype, endpoint, uname in catalog:
        u = user(uname, service_p)
        for r in (admin_r, service_r):
            idp.assign_project_role_to_user(service_p, u, r)
        svc = next((s for s in services if s.type == stype), None)
        if svc is None:
            svc = idp.create_service(name=name, type=stype, is_enabled=True)
        have = {e.interface: e for e in idp.endpoints(service_id=svc.id)}
        for itf in ("public", "internal", "admin"):
            if itf not in have:
                idp.create_endpoint(service_id=svc.id, interface=itf, url=endpoint, region_id=REGION)
            elif have[itf].url != endpoint:
                idp.update_endpoint(have[itf], url=endpoint)
    demo = user("demo", demo_p)
    for r in (member_r, reader_r):
        idp.assign_project_role_to_user(demo_p, demo, r)
    print("identity: service users, catalog (%d services), demo project/user ok" % len(catalog))


FLAVORS = [  # name, ram MiB, vcpus, disk GiB
    ("m1.nano", 128, 1, 1),
    ("m1.tiny", 512, 1, 1),
    ("m1.small", 2048, 1, 20),
    ("m1.medium", 4096, 2, 40),
]
IMAGE_NAME = "cirros-fake"


def tiny_image():
    # 16 KiB raw disk: an MBR boot signature and a recognisable marker. The
    # fake virt driver never reads it; it only has to be a real upload.
    data = bytearray(16 * 1024)
    data[0:20] = b"oaktree devcloud img"
    data[510:512] = b"\x55\xaa"
    return bytes(data)


def resources():
    adm = openstack.connect(cloud="devcloud-admin")
    demo = openstack.connect(cloud="devcloud")

    for name, ram, vcpus, disk in FLAVORS:
        if not adm.compute.find_flavor(name, ignore_missing=True):
            adm.compute.create_flavor(name=name, ram=ram, vcpus=vcpus, disk=disk, is_public=True)

    img = adm.image.find_image(IMAGE_NAME, ignore_missing=True)
    if img is not None and img.status != "active":
        adm.image.delete_image(img)
        img = None
    if img is None:
        adm.image.create_image(name=IMAGE_NAME, disk_format="raw", container_format="bare",
                               visibility="public", data=tiny_image())

    net = adm.network
    pub = net.find_network("public")
    if not pub:
        pub = net.create_network(name="public", is_router_external=True, is_shared=False,
                                 provider_network_type="flat", provider_physical_network="public")
    if not net.find_subnet("public-subnet", network_id=pub.id):
        net.create_subnet(name="public-subnet", network_id=pub.id, ip_version=4,
                          cidr="172.24.4.0/24", gateway_ip="172.24.4.1", is_dhcp_enabled=False,
                          allocation_pools=[{"start": "172.24.4.10", "end": "172.24.4.250"}])

    demo_pid = demo.current_project_id
    dn = demo.network
    priv = dn.find_network("private", project_id=demo_pid)
    if not priv:
        priv = dn.create_network(name="private")
    psub = dn.find_subnet("private-subnet", network_id=priv.id)
    if not psub:
        psub = dn.create_subnet(name="private-subnet", network_id=priv.id, ip_version=4,
                                cidr="10.0.0.0/24", is_dhcp_enabled=True, dns_nameservers=[])
    router = dn.find_router("router1", project_id=demo_pid)
    if not router:
        router = dn.create_router(name="router1", external_gateway_info={"network_id": pub.id})
    if not any(p.device_id == router.id for p in dn.ports(device_id=router.id, network_id=priv.id)):
        dn.add_interface_to_router(router, subnet_id=psub.id)

    # ssh + ping into the demo project's default security group
    sg = dn.find_security_group("default", project_id=demo_pid)
    have = {(r.protocol, r.port_range_min, r.ether_type)
            for r in dn.security_group_rules(security_group_id=sg.id, direction="ingress")}
    for proto, port in (("icmp", None), ("tcp", 22)):
        if (proto, port, "IPv4") not in have:
            dn.create_security_group_rule(security_group_id=sg.id, direction="ingress",
                                          ether_type="IPv4", protocol=proto, port_range_min=port,
                                          port_range_max=port, remote_ip_prefix="0.0.0.0/0")

    # generous quotas: tests create many servers/ports/FIPs/volumes in parallel
    adm.set_compute_quotas(demo_pid, instances=50, cores=100, ram=204800, key_pairs=100)
    adm.set_network_quotas(demo_pid, floatingip=50, port=200, network=20, subnet=20,
                           router=10, security_group=50, security_group_rule=500)
    adm.set_volume_quotas(demo_pid, volumes=50, gigabytes=1000, snapshots=50)
    print("resources: %d flavors, image %s, public/private networks, router1, quotas ok"
          % (len(FLAVORS), IMAGE_NAME))


if __name__ == "__main__":
    {"identity": identity, "resources": resources}[sys.argv[1]]()

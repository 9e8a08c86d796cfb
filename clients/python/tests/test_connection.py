"""The oaktree package against a live node serving the simulated clouds (sim-alpha: RegionOne, RegionTwo; sim-beta).

Run by test/integration/python/python-package.test.ts, which builds the package, starts the simulator and a node,
and sets OAKTREE_ENDPOINT, OAKTREE_SIM_CONTROL (the simulator's control URL) and OAKTREE_TEST_PREFIX.
"""
import json
import os
import tempfile
import unittest
import urllib.request
import warnings

import grpc

import oaktree

ENDPOINT = os.environ['OAKTREE_ENDPOINT']
CONTROL = os.environ['OAKTREE_SIM_CONTROL']
PREFIX = os.environ.get('OAKTREE_TEST_PREFIX', 'pytest')
IMAGE = 'cirros-0.6.2-x86_64-disk'
FLAVOR = 'm1.tiny'


def control(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(CONTROL + path, data=data, method=method,
                                     headers={'Content-Type': 'application/json'})
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read()
        return json.loads(text) if text else None


class ConnectionTest(unittest.TestCase):
    def setUp(self):
        self.conn = oaktree.connect(ENDPOINT)
        self.addCleanup(self.conn.close)

    def test_the_generated_code_ships_in_the_package_not_built_at_run_time(self):
        from oaktree.v1 import compute_pb2
        self.assertTrue(compute_pb2.__file__.startswith(os.path.dirname(oaktree.__file__)))
        self.assertTrue(os.path.exists(os.path.join(os.path.dirname(oaktree.__file__), 'py.typed')))

    def test_lists_read_like_openstacksdk_with_a_location_on_every_object(self):
        flavors = self.conn.list_flavors()
        places = {(f.location.cloud, f.location.region) for f in flavors}
        self.assertEqual(places, {('sim-alpha', 'RegionOne'), ('sim-alpha', 'RegionTwo'), ('sim-beta', 'RegionOne')})
        tiny = [f for f in flavors if f.name == FLAVOR][0]
        self.assertEqual(tiny['ram_mb'], tiny.ram_mb)
        images = self.conn.list_images(cloud='sim-beta')
        self.assertIn(IMAGE, [i.name for i in images])
        self.assertEqual({i.status for i in images if i.name == IMAGE}, {'ACTIVE'})  # a word, not IMAGE_STATUS_ACTIVE
        self.assertTrue(all(n.location.cloud == 'sim-beta' for n in self.conn.list_networks(cloud='sim-beta')))
        self.assertIsInstance(self.conn.list_keypairs(), list)
        self.assertEqual(len(self.conn.list_locations()), 3)

    def test_filters_match_like_openstacksdk_and_min_ram_goes_to_the_node(self):
        small = self.conn.list_flavors(filters={'name': FLAVOR}, cloud='sim-alpha', region='RegionOne')
        self.assertEqual([f.name for f in small], [FLAVOR])
        big = self.conn.list_flavors(min_ram=4096, cloud='sim-alpha', region='RegionOne')
        self.assertTrue(big and all(f.ram_mb >= 4096 for f in big))

    def test_capabilities_say_what_each_location_can_do(self):
        capabilities = self.conn.get_capabilities(cloud='sim-alpha')
        self.assertEqual({c.location.region for c in capabilities}, {'RegionOne', 'RegionTwo'})
        self.assertIn('compute', [s.type for s in capabilities[0].services])

    def test_a_server_is_created_waited_for_found_watched_and_deleted(self):
        name = PREFIX + '-server'
        events = []
        watcher = self.conn.watch_servers(cloud='sim-beta', timeout=60)
        for event in watcher:  # the initial state first, then changes
            if event.type == 'CHECKPOINT':
                break
        server = self.conn.create_server(name, image=IMAGE, flavor=FLAVOR, meta={'owner': PREFIX}, wait=True,
                                         auto_ip=True, cloud='sim-beta')
        self.addCleanup(self.conn.delete_server, server.id, cloud='sim-beta', delete_ips=True)
        self.assertEqual(server.status, 'ACTIVE')
        self.assertEqual(server.location.cloud, 'sim-beta')
        self.assertTrue(server.public_v4, 'auto_ip attaches a floating IP where the cloud needs one')
        for event in watcher:
            if event.type != 'CHECKPOINT' and event.server.id == server.id:
                events.append(event.type)
                if event.server.status == 'ACTIVE':
                    break
        watcher.close()
        self.assertIn('ADDED', events)

        self.assertEqual(self.conn.wait_for_server(server).status, 'ACTIVE')
        # nova's list-valued extras (server_groups, ...) stay in properties: JSON there is a value, not a string
        self.assertTrue(any(isinstance(v, list) for v in server.properties.values()),
                        'JSON in a property is a value, not a string')
        self.assertEqual(self.conn.get_server(name, cloud='sim-beta').id, server.id)
        mine = self.conn.list_servers(filters={'metadata': {'owner': PREFIX}})
        self.assertEqual([s.id for s in mine], [server.id])
        ips = self.conn.list_floating_ips(filters={'server_id': server.id})
        self.assertEqual([ip.floating_ip_address for ip in ips], [server.public_v4])

        self.assertTrue(self.conn.delete_server(server.id, wait=True, delete_ips=True, cloud='sim-beta'))
        self.assertIsNone(self.conn.get_server(server.id, cloud='sim-beta'))
        self.assertFalse(self.conn.delete_server(server.id, cloud='sim-beta'))
        self.assertEqual(self.conn.list_floating_ips(filters={'floating_ip_address': server.public_v4}), [])

    def test_an_image_is_streamed_from_a_file(self):
        with tempfile.NamedTemporaryFile(suffix='.qcow2') as disk:
            disk.write(os.urandom(3 * 1024 * 1024 + 17))  # more than one chunk
            disk.flush()
            image = self.conn.create_image(PREFIX + '-image', filename=disk.name, disk_format='qcow2',
                                           container_format='bare', cloud='sim-alpha', region='RegionTwo')
        self.addCleanup(self.conn.delete_image, image.id, cloud='sim-alpha', region='RegionTwo')
        self.assertEqual((image.location.cloud, image.location.region), ('sim-alpha', 'RegionTwo'))
        self.assertEqual(image.status, 'ACTIVE')
        self.assertEqual(image.size_bytes, 3 * 1024 * 1024 + 17)

    def test_a_visibility_the_node_does_not_know_is_a_value_error_naming_the_allowed_ones(self):
        with self.assertRaisesRegex(ValueError, r"^visibility must be one of community, private, public, shared; "
                                                r"got 'bogus'$"):
            self.conn.create_image(PREFIX + '-never', data=b'x', visibility='bogus', cloud='sim-alpha')

    def test_unattached_floating_ips_are_deleted_and_counted(self):
        where = dict(cloud='sim-alpha', region='RegionOne')
        self.conn.delete_unattached_floating_ips(**where)  # whatever an earlier run left
        ip = self.conn.create_floating_ip(**where)
        self.assertFalse(ip.is_attached)
        self.assertEqual(self.conn.delete_unattached_floating_ips(**where), 1)
        self.assertEqual(self.conn.list_floating_ips(filters={'id': ip.id}, **where), [])

    def test_errors_carry_the_grpc_code(self):
        with self.assertRaises(oaktree.OaktreeError) as caught:
            self.conn.create_server(PREFIX + '-nowhere', image=IMAGE, flavor=FLAVOR, cloud='no-such-cloud')
        self.assertIn(caught.exception.code, (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT))
        self.assertIn(caught.exception.code.name, str(caught.exception))

    def test_a_dead_endpoint_is_unavailable_not_a_hang(self):
        with oaktree.connect('127.0.0.1:1', timeout=5) as dead:
            with self.assertRaises(oaktree.OaktreeError) as caught:
                dead.list_servers()
        self.assertEqual(caught.exception.code, grpc.StatusCode.UNAVAILABLE)

    def test_host_alone_means_port_50051(self):
        self.assertEqual(oaktree.endpoint_address('example.org'), 'example.org:50051')
        self.assertEqual(oaktree.endpoint_address('http://example.org:7000'), 'example.org:7000')
        self.assertEqual(oaktree.endpoint_address('[::1]'), '[::1]:50051')


class PartialResultsTest(unittest.TestCase):
    """A location that fails is a warning beside the others' answers, or an exception in strict mode."""

    def setUp(self):
        fault = control('POST', '/faults', {'kind': 'status', 'status': 403, 'fraction': 1, 'cloud': 'sim-beta',
                                            'service': 'compute'})['fault']
        self.addCleanup(control, 'DELETE', '/faults/' + fault['id'])
        self.conn = oaktree.connect(ENDPOINT, fresh=True)  # past the node's cache, to the failing cloud
        self.addCleanup(self.conn.close)

    def test_a_failed_location_is_a_warning_with_its_location(self):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            flavors = self.conn.list_flavors(filters={'name': 'm1.small'})
        self.assertEqual({f.location.cloud for f in flavors}, {'sim-alpha'})
        partial = [w.message for w in caught if isinstance(w.message, oaktree.PartialResultsWarning)]
        self.assertEqual([p.error.location.cloud for p in partial], ['sim-beta'])
        self.assertEqual([e.location.cloud for e in self.conn.last_errors], ['sim-beta'])

    def test_strict_mode_raises_with_the_location(self):
        with oaktree.connect(ENDPOINT, strict=True, fresh=True) as strict:
            with self.assertRaises(oaktree.OaktreeError) as caught:
                strict.list_flavors(filters={'name': 'm1.medium'})
        self.assertEqual(caught.exception.location.cloud, 'sim-beta')
        self.assertEqual(caught.exception.code, grpc.StatusCode.PERMISSION_DENIED)


if __name__ == '__main__':
    unittest.main()

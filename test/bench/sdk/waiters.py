# openstacksdk's wait_for_server: one thread per server on one Connection. Prints, per server, the wall-clock
# time (epoch ms) at which wait_for_server returned (or null at the timeout).
# Usage: OS_CLIENT_CONFIG_FILE=clouds.yaml /usr/bin/python3 waiters.py CLOUD TIMEOUT_S ID [ID ...]
import json, sys, threading, time, warnings
warnings.filterwarnings('ignore')
import logging
logging.disable(logging.CRITICAL)
import openstack

cloud, timeout, ids = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
conn = openstack.connect(cloud=cloud)
conn.authorize()
servers = {i: conn.compute.get_server(i) for i in ids}
print('READY', flush=True)
sys.stdin.readline()  # the parent resets its counters, then says go
done = {}

def wait(sid):
    try:
        conn.wait_for_server(servers[sid], timeout=timeout, auto_ip=False)
        done[sid] = time.time() * 1000
    except Exception:
        done[sid] = None

threads = [threading.Thread(target=wait, args=(i,)) for i in ids]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps(done), flush=True)

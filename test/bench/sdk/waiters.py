# openstacksdk's wait_for_server, one thread per server: all on one Connection ('shared': its list_servers cache
# lets the threads share polls) or one Connection each ('separate': like independent scripts or processes).
# Prints, per server, the wall-clock time (epoch ms) when the wait saw ACTIVE (or null at the timeout).
# Usage: OS_CLIENT_CONFIG_FILE=clouds.yaml /usr/bin/python3 waiters.py shared|separate CLOUD TIMEOUT_S ID [ID ...]
import json, sys, threading, time, warnings
warnings.filterwarnings('ignore')
import logging
logging.disable(logging.CRITICAL)
import openstack

mode, cloud, timeout, ids = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4:]
def connection():
    c = openstack.connect(cloud=cloud)
    c.authorize()
    return c
shared = connection()
conns = {i: (shared if mode == 'shared' else connection()) for i in ids}
servers = {i: shared.compute.get_server(i) for i in ids}
print('READY', flush=True)
sys.stdin.readline()  # the parent resets its counters, then says go
done = {}

def wait(sid):
    try:
        conns[sid].wait_for_server(servers[sid], timeout=timeout, auto_ip=False)
        done[sid] = time.time() * 1000
    except Exception as e:
        # The simulator's servers have no network: openstacksdk sees ACTIVE, then complains about the missing IP.
        done[sid] = time.time() * 1000 if 'ACTIVE' in str(e) else None

threads = [threading.Thread(target=wait, args=(i,)) for i in ids]
for t in threads: t.start()
for t in threads: t.join()
print(f'CPU {time.process_time():.3f}', flush=True)  # this process's CPU seconds, start included
print(json.dumps(done), flush=True)

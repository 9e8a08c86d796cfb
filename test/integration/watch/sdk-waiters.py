# openstacksdk's wait_for_server, N threads each waiting on its own server for a fixed window.
# MODE shared: one Connection for all threads (one program); separate: one Connection per waiter (N clients).
# Usage: OS_CLIENT_CONFIG_FILE=clouds.yaml /usr/bin/python3 sdk-waiters.py CLOUD SECONDS MODE ID [ID ...]
import sys, threading, warnings
warnings.filterwarnings('ignore')
import openstack

cloud, seconds, mode, ids = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4:]
shared = openstack.connect(cloud=cloud) if mode == 'shared' else None
conns = {i: shared or openstack.connect(cloud=cloud) for i in ids}
servers = {}
for i in ids:
    conns[i].authorize()
    servers[i] = conns[i].compute.get_server(i)
print('READY', flush=True)
sys.stdin.readline()  # the parent resets its counters, then says go

def wait(sid):
    try:
        conns[sid].wait_for_server(servers[sid], timeout=seconds, auto_ip=False)
    except Exception:
        pass

threads = [threading.Thread(target=wait, args=(i,)) for i in ids]
for t in threads: t.start()
for t in threads: t.join()
print('DONE', flush=True)

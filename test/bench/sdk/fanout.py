# openstacksdk listing servers over several clouds: a loop (one cloud after the other) or a thread pool.
# Connections are made and authorized before timing (a long-running user of openstacksdk keeps them).
# list_servers(bare=True) skips openstacksdk's per-server Neutron lookups (GET /ports and GET /floatingips for each
# ACTIVE server without a floating IP in nova's addresses); 'full' keeps them (the default list_servers()).
# Usage: OS_CLIENT_CONFIG_FILE=clouds.yaml /usr/bin/python3 fanout.py loop|threads bare|full RUNS WARMUP(0|1) CLOUD [CLOUD ...]
import json, sys, time, warnings
from concurrent.futures import ThreadPoolExecutor
warnings.filterwarnings('ignore')
import logging
logging.disable(logging.CRITICAL)
import openstack

mode, bare, runs, warmups, clouds = sys.argv[1], sys.argv[2] == 'bare', int(sys.argv[3]), int(sys.argv[4]), sys.argv[5:]
t0 = time.perf_counter()
conns = [openstack.connect(cloud=c) for c in clouds]
for c in conns:
    c.authorize()
connect_s = time.perf_counter() - t0

def one(conn):
    return len(conn.list_servers(bare=bare))

# Warm-up: version discovery and the first connection of each cloud, with a one-server page.
for c in conns[:warmups and len(conns)]:
    next(iter(c.compute.servers(limit=1)), None)

times, counts = [], []
for run in range(runs):
    t = time.perf_counter()
    if mode == 'loop':
        n = sum(one(c) for c in conns)
    else:
        with ThreadPoolExecutor(max_workers=len(conns)) as pool:
            n = sum(pool.map(one, conns))
    if True:
        times.append(time.perf_counter() - t)
        counts.append(n)
print(json.dumps({'connect_s': connect_s, 'times_s': times, 'counts': counts}))

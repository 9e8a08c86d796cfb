# openstacksdk moving one object: create_object from a file, then get_object to a file, on the same cloud oaktree
# uses. create_object reads the file once for its md5/sha256 before it uploads (openstacksdk's own checksums);
# that time is part of what a user waits for, so it is measured, and also reported on its own.
# Usage: OS_CLIENT_CONFIG_FILE=clouds.yaml /usr/bin/python3 objects.py CLOUD CONTAINER NAME IN_FILE OUT_FILE
import json, sys, time, warnings, resource
warnings.filterwarnings('ignore')
import logging
logging.disable(logging.CRITICAL)
import openstack

cloud, container, name, source, target = sys.argv[1:6]
conn = openstack.connect(cloud=cloud)
conn.authorize()
conn.create_container(container)

t = time.perf_counter()
md5, sha256 = openstack.utils._get_file_hashes(source) if hasattr(openstack.utils, '_get_file_hashes') else (None, None)
checksum_s = time.perf_counter() - t

t = time.perf_counter()
conn.create_object(container, name, filename=source, md5=md5, sha256=sha256)
upload_s = time.perf_counter() - t

t = time.perf_counter()
conn.get_object(container, name, outfile=target)
download_s = time.perf_counter() - t

conn.delete_object(container, name)
peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({'checksum_s': checksum_s, 'upload_s': upload_s, 'download_s': download_s, 'peak_rss_mib': peak_mib}))

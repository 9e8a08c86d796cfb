# openstacksdk moving one image: create_image from a file (Glance v2 PUT), then download_image to a file, on the
# same simulated Glance oaktree uses. create_image hashes the file (md5/sha256) before it uploads unless given the
# sums; they are computed first, timed on their own and passed in, so upload_s is the transfer (as for oaktree,
# whose client is given the sha256 up front). download_image uses 1 MiB chunks (its default is 1 KiB), as oaktree.
# Usage: OS_CLIENT_CONFIG_FILE=clouds.yaml /usr/bin/python3 images.py CLOUD NAME IN_FILE OUT_FILE
import json, sys, time, warnings, resource
warnings.filterwarnings('ignore')
import logging
logging.disable(logging.CRITICAL)
import openstack

cloud, name, source, target = sys.argv[1:5]
conn = openstack.connect(cloud=cloud)
conn.authorize()

t = time.perf_counter()
md5, sha256 = openstack.utils._get_file_hashes(source)
checksum_s = time.perf_counter() - t

t = time.perf_counter()
image = conn.create_image(name, filename=source, md5=md5, sha256=sha256, disk_format='raw',
                          container_format='bare', wait=True)
upload_s = time.perf_counter() - t

t = time.perf_counter()
with open(target, 'wb') as out:
    conn.download_image(image.id, output_file=out, chunk_size=1024 * 1024)
download_s = time.perf_counter() - t

conn.delete_image(image.id)
peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({'checksum_s': checksum_s, 'upload_s': upload_s, 'download_s': download_s, 'peak_rss_mib': peak_mib}))

"""Builds the gRPC stubs while the package is built, so the installed package never runs protoc.

`build_py` compiles the repository's proto/oaktree/v1/*.proto (or OAKTREE_PROTO_DIR) into oaktree/v1/*_pb2.py and
*_pb2_grpc.py in the build directory, with Debian's protoc 3.21 (protobuf-compiler) and gRPC's Python plugin
(protobuf-compiler-grpc). Not python3-grpc-tools: its bundled protoc (3.5.1 in Debian 12) predates proto3
`optional`, which the oaktree contract uses. The generated modules import as `oaktree.v1.*`, the package's own
namespace, so they need no path tricks.
"""
import os
import shutil
import subprocess

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))


def proto_dir():
    configured = os.environ.get('OAKTREE_PROTO_DIR')
    candidates = [configured] if configured else [os.path.join(HERE, 'proto'), os.path.join(HERE, '..', '..', 'proto')]
    for candidate in candidates:
        if os.path.isdir(os.path.join(candidate, 'oaktree', 'v1')):
            return os.path.abspath(candidate)
    raise SystemExit('oaktree: proto/oaktree/v1 not found (build from the oaktree repository or set OAKTREE_PROTO_DIR)')


def include_dir():
    """Where google/protobuf/*.proto live (libprotobuf-dev)."""
    for candidate in ('/usr/include', '/usr/local/include'):
        if os.path.exists(os.path.join(candidate, 'google', 'protobuf', 'timestamp.proto')):
            return candidate
    raise SystemExit('oaktree: google/protobuf/timestamp.proto not found: apt-get install libprotobuf-dev')


class BuildWithStubs(build_py):
    def run(self):
        super().run()
        protoc = shutil.which('protoc')
        plugin = shutil.which('grpc_python_plugin')
        if not protoc or not plugin:
            raise SystemExit('oaktree: needs protoc and grpc_python_plugin: apt-get install protobuf-compiler protobuf-compiler-grpc')
        protos = proto_dir()
        sources = sorted(
            os.path.join('oaktree', 'v1', name)
            for name in os.listdir(os.path.join(protos, 'oaktree', 'v1'))
            if name.endswith('.proto')
        )
        out = self.build_lib
        os.makedirs(os.path.join(out, 'oaktree', 'v1'), exist_ok=True)
        subprocess.check_call([
            protoc, '-I', protos, '-I', include_dir(),
            '--python_out', out, '--pyi_out', out,
            '--plugin=protoc-gen-grpc_python=' + plugin, '--grpc_python_out', out,
        ] + sources)


setup(cmdclass={'build_py': BuildWithStubs})

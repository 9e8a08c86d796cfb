"""The oaktree.v1 gRPC contract: *_pb2 and *_pb2_grpc modules generated from proto/ when the package is built."""

// oaktree from Go with plain gRPC: list locations and flavors, then create a server, wait for it, delete it.
//
// Built offline from Debian's packages (golang-go, golang-google-grpc-dev, golang-google-protobuf-dev,
// protoc-gen-go, protoc-gen-go-grpc): build.sh generates the stubs from proto/ into a temporary GOPATH, next to
// Debian's /usr/share/gocode, and builds this file. Nothing generated is committed.
//
//	examples/go/build.sh /tmp/oaktree-example && /tmp/oaktree-example -endpoint 127.0.0.1:50051
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"sort"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"

	oaktree "example.oaktree/oaktreev1"
)

func main() {
	endpoint := flag.String("endpoint", envOr("OAKTREE_ENDPOINT", "127.0.0.1:50051"), "the oaktree node")
	cloud := flag.String("cloud", "", "only this cloud")
	region := flag.String("region", "", "only this region")
	name := flag.String("name", fmt.Sprintf("go-example-%d", os.Getpid()), "the server's name")
	ca := flag.String("ca", os.Getenv("OAKTREE_CA"), "connect with TLS, trusting this CA (PEM file)")
	cert := flag.String("cert", os.Getenv("OAKTREE_CERT"), "client certificate for mTLS (PEM file)")
	key := flag.String("key", os.Getenv("OAKTREE_KEY"), "the key of -cert (PEM file)")
	serverName := flag.String("server-name", os.Getenv("OAKTREE_SERVER_NAME"), "the name in the node's certificate")
	token := flag.String("token", os.Getenv("OAKTREE_TOKEN"), "bearer token (better: OAKTREE_TOKEN)")
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dialOptions, err := connectOptions(*ca, *cert, *key, *serverName, *token)
	if err != nil {
		log.Fatalf("oaktree: %v", err)
	}
	conn, err := grpc.DialContext(ctx, *endpoint, dialOptions...)
	if err != nil {
		log.Fatalf("connecting to %s: %v", *endpoint, err)
	}
	defer conn.Close()
	locations := oaktree.NewLocationServiceClient(conn)
	compute := oaktree.NewComputeServiceClient(conn)
	images := oaktree.NewImageServiceClient(conn)
	selector := &oaktree.LocationSelector{Cloud: *cloud, Region: *region}

	// Every list is a stream: one message per object, or an in-band error for a location that failed.
	fmt.Println("locations:")
	stream, err := locations.ListLocations(ctx, &oaktree.ListLocationsRequest{Location: selector})
	check(err)
	var found []*oaktree.Location
	for {
		item, err := stream.Recv()
		if err == io.EOF {
			break
		}
		check(err)
		if failed := item.GetError(); failed != nil {
			fmt.Printf("  warning: %s: %s\n", failed.GetLocation().GetCloud(), failed.GetMessage())
			continue
		}
		found = append(found, item.GetLocation())
		fmt.Printf("  %s/%s (project %s)\n", item.GetLocation().GetCloud(), item.GetLocation().GetRegion(), item.GetLocation().GetProject().GetName())
	}
	if len(found) == 0 {
		log.Fatal("no location")
	}

	// A write goes to exactly one cloud and region.
	target := found[0]
	where := &oaktree.LocationSelector{Cloud: target.GetCloud(), Region: target.GetRegion()}
	fmt.Println("flavors:")
	flavorStream, err := compute.ListFlavors(ctx, &oaktree.ListFlavorsRequest{Location: where, Strict: true})
	check(err)
	var flavors []*oaktree.Flavor
	for {
		item, err := flavorStream.Recv()
		if err == io.EOF {
			break
		}
		check(err)
		f := item.GetFlavor()
		flavors = append(flavors, f)
		fmt.Printf("  %s/%s  %-10s %d vCPU  %d MiB\n", f.GetLocation().GetCloud(), f.GetLocation().GetRegion(), f.GetName(), f.GetVcpus(), f.GetRamMb())
	}
	sort.Slice(flavors, func(i, j int) bool { return flavors[i].GetRamMb() < flavors[j].GetRamMb() })

	imageStream, err := images.ListImages(ctx, &oaktree.ListImagesRequest{Location: where, Strict: true, Status: oaktree.ImageStatus_IMAGE_STATUS_ACTIVE})
	check(err)
	var image *oaktree.Image
	for {
		item, err := imageStream.Recv()
		if err == io.EOF {
			break
		}
		check(err)
		if image == nil || strings.HasPrefix(item.GetImage().GetName(), "cirros") {
			image = item.GetImage()
		}
	}

	fmt.Printf("creating %s in %s/%s (flavor %s, image %s)\n", *name, target.GetCloud(), target.GetRegion(), flavors[0].GetName(), image.GetName())
	create, err := compute.CreateServer(ctx, &oaktree.CreateServerRequest{
		Location: where, Name: *name, Flavor: flavors[0].GetId(), Image: image.GetId(), Wait: true,
	})
	check(err)
	var server *oaktree.Server
	for { // progress is pushed by the node: no polling
		message, err := create.Recv()
		if err == io.EOF {
			break
		}
		check(err)
		server = message.GetServer()
		fmt.Printf("  %s: %s\n", message.GetStage(), server.GetStatus())
	}
	fmt.Printf("%s is %s at %s\n", server.GetName(), server.GetStatus(), server.GetInterfaceIp())

	deleted, err := compute.DeleteServer(ctx, &oaktree.DeleteServerRequest{Location: where, NameOrId: server.GetId(), DeleteFloatingIps: true, Wait: true})
	check(err)
	fmt.Printf("deleted %s (%s)\n", server.GetName(), deleted.GetId())

	// Errors are gRPC status codes with a message that says what to fix.
	_, err = compute.GetServer(ctx, &oaktree.GetServerRequest{Location: where, NameOrId: server.GetId()})
	fmt.Printf("getting it again: %s\n", status.Code(err))
}

func check(err error) {
	if err != nil {
		s, _ := status.FromError(err)
		log.Fatalf("oaktree: %s: %s", s.Code(), s.Message())
	}
}

// connectOptions: plaintext for a local node; TLS when a CA or a client certificate is given; a bearer token on
// every call when one is given.
func connectOptions(ca, cert, key, serverName, token string) ([]grpc.DialOption, error) {
	options := []grpc.DialOption{grpc.WithInsecure()}
	if ca != "" || cert != "" {
		config := &tls.Config{ServerName: serverName}
		if ca != "" {
			pem, err := os.ReadFile(ca)
			if err != nil {
				return nil, err
			}
			config.RootCAs = x509.NewCertPool()
			if !config.RootCAs.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("%s holds no PEM certificate", ca)
			}
		}
		if cert != "" {
			pair, err := tls.LoadX509KeyPair(cert, key)
			if err != nil {
				return nil, err
			}
			config.Certificates = []tls.Certificate{pair}
		}
		options = []grpc.DialOption{grpc.WithTransportCredentials(credentials.NewTLS(config))}
	}
	if token != "" {
		options = append(options, grpc.WithPerRPCCredentials(bearer(token)))
	}
	return options, nil
}

// bearer sends `authorization: Bearer <token>`; allowed on plaintext too, for a node on loopback.
type bearer string

func (b bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(b)}, nil
}

func (bearer) RequireTransportSecurity() bool { return false }

func envOr(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}

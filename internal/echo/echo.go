// Package echo is a backend for end-to-end tests, as Emissary's
// kat-server is: it answers every HTTP request, and every gRPC call, with
// what it received (method, path, host, headers) and its own name, as
// JSON, so that a test can tell which backend a request reached and what
// the gateway did to it on the way.
package echo

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"sort"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/metadata"
)

// Request is what a backend saw.
type Request struct {
	Backend string              `json:"backend"`
	Method  string              `json:"method"`
	Path    string              `json:"path"`
	Host    string              `json:"host"`
	Headers map[string][]string `json:"headers"`
}

// Handler answers HTTP requests as backend name.
func Handler(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		headers := map[string][]string{}
		for k, v := range r.Header {
			headers[strings.ToLower(k)] = v
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Echo-Backend", name)
		json.NewEncoder(w).Encode(Request{Backend: name, Method: r.Method, Path: r.URL.RequestURI(), Host: r.Host, Headers: headers})
	})
}

// Serve serves HTTP on ln until it is closed.
func Serve(ln net.Listener, name string) error {
	return http.Serve(ln, Handler(name))
}

// Raw is a gRPC codec that passes bytes through, so that the echo server
// needs no generated code: any method of any service is answered.
type Raw struct{}

func (Raw) Marshal(v any) ([]byte, error) { return *(v.(*[]byte)), nil }
func (Raw) Unmarshal(data []byte, v any) error {
	*(v.(*[]byte)) = append([]byte(nil), data...)
	return nil
}
func (Raw) Name() string { return "echo-raw" }

func init() { encoding.RegisterCodec(Raw{}) }

// GRPCServer answers every unary gRPC call with the Request it saw, as
// JSON bytes (call it with the Raw codec: grpc.ForceCodecV2 or
// grpc.CallContentSubtype("echo-raw")).
func GRPCServer(name string) *grpc.Server {
	return grpc.NewServer(grpc.ForceServerCodec(Raw{}), grpc.UnknownServiceHandler(func(_ any, stream grpc.ServerStream) error {
		var in []byte
		if err := stream.RecvMsg(&in); err != nil {
			return err
		}
		method, _ := grpc.Method(stream.Context())
		md, _ := metadata.FromIncomingContext(stream.Context())
		headers := map[string][]string{}
		keys := make([]string, 0, len(md))
		for k := range md {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			headers[k] = md[k]
		}
		host := ""
		if v := md.Get(":authority"); len(v) > 0 {
			host = v[0]
		}
		out, err := json.Marshal(Request{Backend: name, Method: "POST", Path: method, Host: host, Headers: headers})
		if err != nil {
			return err
		}
		return stream.SendMsg(&out)
	}))
}

// Call makes a unary call of method (/package.Service/Method) on conn
// and reads what the echo server saw.
func Call(ctx context.Context, conn *grpc.ClientConn, method string) (Request, error) {
	in, out := []byte{}, []byte{}
	if err := conn.Invoke(ctx, method, &in, &out, grpc.ForceCodec(Raw{})); err != nil {
		return Request{}, err
	}
	var r Request
	err := json.Unmarshal(out, &r)
	return r, err
}

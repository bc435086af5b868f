package echo

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
)

func TestHTTPEchoesTheRequest(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go Serve(ln, "quote")
	req, _ := http.NewRequest("PUT", "http://"+ln.Addr().String()+"/a/b?x=1", nil)
	req.Host = "api.example.com"
	req.Header.Set("X-Tenant", "acme")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got Request
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.Backend != "quote" || got.Method != "PUT" || got.Path != "/a/b?x=1" || got.Host != "api.example.com" ||
		got.Headers["x-tenant"][0] != "acme" || resp.Header.Get("X-Echo-Backend") != "quote" {
		t.Errorf("echo: %+v", got)
	}
}

func TestGRPCEchoesTheCall(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := GRPCServer("billing")
	go srv.Serve(ln)
	defer srv.Stop()
	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ctx = metadata.AppendToOutgoingContext(ctx, "x-tenant", "acme")
	got, err := Call(ctx, conn, "/billing.v1.Billing/Charge")
	if err != nil {
		t.Fatal(err)
	}
	if got.Backend != "billing" || got.Path != "/billing.v1.Billing/Charge" || got.Headers["x-tenant"][0] != "acme" {
		t.Errorf("echo: %+v", got)
	}
}

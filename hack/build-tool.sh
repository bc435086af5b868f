#!/usr/bin/env bash
# build-tool.sh NAME VERSION DEST_DIR
#
# Builds one of the real servers the integration tests run (kube-apiserver,
# etcd, consul) from the Go module proxy into DEST_DIR/NAME. Prebuilt release
# downloads are not reachable from our build machines, so every binary comes
# from source through a throwaway module. A binary already present is kept:
# DEST_DIR is keyed by version, so a second run does nothing.
set -euo pipefail

name=$1 version=$2 dest=$3

if [ -x "$dest/$name" ]; then
	exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# The throwaway modules must not inherit the project's settings.
export GOFLAGS=-mod=mod GOWORK=off GO111MODULE=on CGO_ENABLED=0

echo "building $name $version into $dest (this takes minutes the first time)" >&2

case $name in
kube-apiserver)
	go mod init tools.local/kube-apiserver >/dev/null 2>&1
	# k8s.io/kubernetes points its staging modules at ./staging/src in its
	# own go.mod; a consumer must replace each with the published module of
	# the matching v0.x version. Derive the list from that go.mod so it
	# follows the version instead of being typed out here.
	gomod=$(go mod download -json "k8s.io/kubernetes@$version" | sed -n 's/^\s*"GoMod": "\(.*\)",\?$/\1/p')
	staging_version="v0.${version#v1.}"
	replaces=$(sed -n 's#^\s*\(k8s.io/[a-z0-9./-]*\) => ./staging/src/.*#\1#p' "$gomod" | sort -u)
	{
		echo "require k8s.io/kubernetes $version"
		for m in $replaces; do
			echo "replace $m => $m $staging_version"
		done
	} >>go.mod
	cat >main.go <<'GO'
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() { os.Exit(cli.Run(app.NewAPIServerCommand())) }
GO
	go mod tidy
	go build -trimpath -ldflags=-s -o kube-apiserver .
	;;
etcd)
	go mod init tools.local/etcd >/dev/null 2>&1
	echo "require go.etcd.io/etcd/server/v3 $version" >>go.mod
	cat >main.go <<'GO'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
	go mod tidy
	go build -trimpath -ldflags=-s -o etcd .
	;;
consul)
	# Newer Consul releases need submodules the proxy does not serve; these
	# pins are the newest combination that resolves and builds.
	go mod init tools.local/consul >/dev/null 2>&1
	cat >>go.mod <<MOD
require github.com/hashicorp/consul $version

replace (
	github.com/hashicorp/consul/api => github.com/hashicorp/consul/api v1.18.1
	github.com/hashicorp/consul/proto-public => github.com/hashicorp/consul/proto-public v0.2.1
	github.com/hashicorp/consul/sdk => github.com/hashicorp/consul/sdk v0.13.0
	launchpad.net/gocheck => github.com/go-check/check v0.0.0-20140225173054-eb6ee6f84d0a
)
MOD
	go build -trimpath -ldflags=-s -o consul github.com/hashicorp/consul
	;;
*)
	echo "build-tool.sh: unknown tool $name" >&2
	exit 2
	;;
esac

mkdir -p "$dest"
# Move into place last, so an interrupted build never leaves a binary that
# the "already built" check above would trust.
mv "$name" "$dest/$name.tmp"
mv "$dest/$name.tmp" "$dest/$name"
echo "built $dest/$name" >&2

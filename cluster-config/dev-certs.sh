#!/bin/sh
# Creates a development PKI for SIP over TLS with openssl: a CA, a server certificate for the node and a client
# certificate for an enterprise app, all EC P-256, plus a second, unrelated CA with its own client certificate for
# "wrong CA" tests. Never use these in production.
#
#   cluster-config/dev-certs.sh [OUT_DIR] [SERVER_IP]      (defaults: ./dev-certs and 127.0.0.1)
#
# Then: dotnet run --project src/Routing.Node -- --sip tls:127.0.0.1:5061 \
#         --tls-cert OUT/server.crt --tls-key OUT/server.key --tls-client-ca OUT/ca.crt --tls-client-cert required
set -eu
out=${1:-./dev-certs}
ip=${2:-127.0.0.1}
days=825
mkdir -p "$out"
cd "$out"

key() { openssl ecparam -name prime256v1 -genkey -noout -out "$1"; chmod 600 "$1"; }

ca() { # name subject
  key "$1.key"
  openssl req -new -x509 -key "$1.key" -sha256 -days "$days" -subj "$2" -out "$1.crt" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
}

leaf() { # name subject ca usage san
  key "$1.key"
  openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=%s\nsubjectAltName=%s\n' "$4" "$5" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$3.crt" -CAkey "$3.key" -CAcreateserial -sha256 -days "$days" -extfile "$1.ext" -out "$1.crt" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}

ca ca "/O=Routing Dev/CN=Routing Dev CA"
leaf server "/O=Routing Dev/CN=$ip" ca serverAuth "IP:$ip,DNS:localhost"
leaf client "/O=Routing Dev/CN=dev-app" ca clientAuth "DNS:dev-app"
ca other-ca "/O=Elsewhere/CN=Unrelated CA"
leaf other-client "/O=Elsewhere/CN=stranger" other-ca clientAuth "DNS:stranger"
rm -f ./*.srl
echo "dev certificates in $(pwd): ca.crt server.crt/.key client.crt/.key (other-ca.crt other-client.crt/.key: a CA the node does not trust)"

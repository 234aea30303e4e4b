/*
 * Why traffic went without mesh mTLS, in words. Linkerd's codes are the
 * proxy's own: the server side's NoServerTls (linkerd2-proxy
 * linkerd/tls/src/server.rs) and the client side's NoClientTls
 * (linkerd/tls/src/client.rs); Istio's is connection_security_policy.
 */
const REASONS: Record<string, string> = {
  no_tls_from_remote: 'the client sent no TLS: it has no mesh proxy',
  disabled: 'mesh identity is disabled on the proxy',
  loopback: 'a connection inside the pod (loopback)',
  port_skipped: 'the proxy skips TLS on this port',
  not_provided_by_service_discovery:
    'the destination is not in the mesh: service discovery gave no identity',
  ingress_without_override:
    'sent by an ingress proxy without an l5d-dst-override header',
  'connection_security_policy=none':
    'the client sent plaintext, and the policy let it in',
  'connection_security_policy=unknown': 'no mesh security was reported for it',
};

/**
 * A plaintext reason in words for people ("the client sent no TLS: it has
 * no mesh proxy"); a code it does not know, as it is.
 * @public
 */
export function describePlaintextReason(reason: string): string {
  return REASONS[reason] ?? reason;
}

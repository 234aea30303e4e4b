import { POSTURE_CHECK_IDS } from '../checks';
import type { ChecklistTemplate } from './types';

/*
 * The built-in checklist templates. Data, versioned: change a word and raise
 * the version (the backend refuses to start when a stored version's content
 * differs, and a test pins each version's fingerprint). Answers to items
 * whose wording did not change carry over to the new version.
 */

/** @public */
export const THREAT_MODEL_TEMPLATE_ID = 'threat-model';
/** @public */
export const PCI_DSS_V4_TEMPLATE_ID = 'pci-dss-v4';
/** @public */
export const ZERO_TRUST_TEMPLATE_ID = 'zero-trust';

/**
 * Threat model: the four questions of OWASP threat modelling, a security
 * checklist of what the model must have settled, and the two threats the
 * mesh can answer for: where data can leave, and what a bypassed proxy opens.
 * @public
 */
export const threatModelTemplate: ChecklistTemplate = {
  id: THREAT_MODEL_TEMPLATE_ID,
  version: 2,
  title: 'Threat model',
  description:
    'The four questions of OWASP threat modelling, answered for this service, and the security controls the model must have settled; the mesh answers where data can leave and what a bypassed proxy opens. Link the model itself as evidence.',
  sections: [
    {
      id: 'four-questions',
      title: 'The four questions',
      description:
        'OWASP Threat Modeling Process and the Threat Modeling Manifesto.',
      items: [
        {
          id: 'what-are-we-building',
          kind: 'manual',
          title: 'What are we working on?',
          description:
            'The service is modelled: components, data flows, data stores, external parties and the assets worth protecting, in a diagram kept with the service.',
          reference: 'OWASP Threat Modeling, question 1',
        },
        {
          id: 'what-can-go-wrong',
          kind: 'manual',
          title: 'What can go wrong?',
          description:
            'Threats are listed against the model, element by element and flow by flow (for example with STRIDE).',
          reference: 'OWASP Threat Modeling, question 2',
        },
        {
          id: 'what-are-we-doing',
          kind: 'manual',
          title: 'What are we going to do about it?',
          description:
            'Each threat has a decision (mitigate, eliminate, transfer or accept) and an owner; mitigations are tracked as work items.',
          reference: 'OWASP Threat Modeling, question 3',
        },
        {
          id: 'did-we-do-a-good-job',
          kind: 'manual',
          title: 'Did we do a good job?',
          description:
            'The model was reviewed by someone outside the team, and is revisited when the design changes.',
          reference: 'OWASP Threat Modeling, question 4',
        },
      ],
    },
    {
      id: 'security-checklist',
      title: 'Security checklist',
      items: [
        {
          id: 'authn-non-repudiation',
          kind: 'manual',
          title: 'Authentication with non-repudiation',
          description:
            'Every caller, person or service, is authenticated, and every action can be tied to the identity that performed it.',
        },
        {
          id: 'authz-every-operation',
          kind: 'manual',
          title: 'Every operation is authorized',
          description:
            'Authorization is checked on each operation, not only at the entry point.',
        },
        {
          id: 'role-based-access',
          kind: 'manual',
          title: 'Access is role-based',
          description:
            'Permissions are granted to roles; people and services are given roles.',
        },
        {
          id: 'request-time-decisions',
          kind: 'manual',
          title: 'Access decisions are made at request time',
          description:
            'Each request is authorized when it arrives, not from a decision cached at sign-in or at deploy time.',
        },
        {
          id: 'trust-boundaries',
          kind: 'manual',
          title:
            'Trust boundaries are identified and mapped to authentication and authorization',
          description:
            'Every place where data crosses from one trust level to another is in the model, with the authentication and authorization that guard it.',
        },
        {
          id: 'operations-logged',
          kind: 'manual',
          title: 'All operations are logged',
          description:
            'Who did what, when, and with what outcome, for every operation.',
        },
        {
          id: 'no-sensitive-data-in-logs',
          kind: 'manual',
          title: 'No PII, ePHI or secrets in logs',
          description:
            'Personal data, health data, credentials and tokens never reach the logs, including in error messages.',
        },
        {
          id: 'audit-logs-tagged',
          kind: 'manual',
          title: 'Audit logs are tagged',
          description:
            'Audit entries are marked as such, so they can be routed, retained and protected apart from other logs.',
        },
      ],
    },
    {
      id: 'defence-in-depth',
      title: 'Defence in depth, from the mesh',
      description:
        'Answered from the live posture: the exfiltration paths the model assumes are the only ones, and its trust boundaries hold where a proxy is bypassed or absent.',
      items: [
        {
          id: 'exfiltration-paths-declared',
          kind: 'automatic',
          check: 'egress-declared',
          title: 'Data leaves the service only for declared destinations',
          description:
            'The mesh refuses every destination outside it that no entry declares, and no call in the window went out undeclared.',
          reference: 'STRIDE: information disclosure',
        },
        {
          id: 'network-denies-by-default',
          kind: 'automatic',
          check: 'network-default-deny',
          title: 'The network denies by default beneath the mesh',
          description:
            'A Kubernetes NetworkPolicy isolates the pods for ingress and egress, so a pod whose proxy is bypassed or absent opens no path the model does not show.',
          reference: 'STRIDE: elevation of privilege',
        },
      ],
    },
  ],
};

/**
 * PCI DSS v4.0: the requirements a service mesh helps with, each item
 * referring to its requirement.
 * @public
 */
export const pciDssV4Template: ChecklistTemplate = {
  id: PCI_DSS_V4_TEMPLATE_ID,
  version: 3,
  title: 'PCI DSS v4.0: controls a mesh helps with',
  description:
    'The parts of PCI DSS v4.0 requirements 1, 4, 6, 7, 8 and 10 that a service mesh enforces or helps prove, for services in the cardholder data environment. It does not replace the assessment.',
  sections: [
    {
      id: 'req-1',
      title: 'Requirement 1: Install and maintain network security controls',
      items: [
        {
          id: 'req-1-default-deny',
          kind: 'automatic',
          check: 'default-deny',
          title: 'Traffic to the service is denied unless explicitly allowed',
          description:
            'Authorization is default-deny on every port the service listens on.',
          reference: 'PCI DSS v4.0 Req. 1.3.1',
        },
        {
          id: 'req-1-network-default-deny',
          kind: 'automatic',
          check: 'network-default-deny',
          title:
            'The network itself denies traffic to and from the service unless a rule allows it',
          description:
            'A Kubernetes NetworkPolicy isolates its pods for ingress and egress, so the control holds where a proxy is bypassed or absent.',
          reference: 'PCI DSS v4.0 Req. 1.3.1, 1.3.2, 1.4.2',
        },
        {
          id: 'req-1-egress-declared',
          kind: 'automatic',
          check: 'egress-declared',
          title:
            'Traffic out of the service goes only to destinations that are explicitly allowed',
          description:
            'The mesh refuses every destination outside it that no entry declares, and no call in the window went out undeclared.',
          reference: 'PCI DSS v4.0 Req. 1.3.2, 1.4.4',
        },
        {
          id: 'req-1-egress',
          kind: 'manual',
          title:
            'Outbound traffic is restricted to the destinations the service needs',
          description: 'An egress policy lists what the service may call.',
          reference: 'PCI DSS v4.0 Req. 1.3.2',
        },
        {
          id: 'req-1-policy-review',
          kind: 'manual',
          title:
            'Authorization policies are version-controlled and reviewed at least every six months',
          reference: 'PCI DSS v4.0 Req. 1',
        },
      ],
    },
    {
      id: 'req-4',
      title:
        'Requirement 4: Protect cardholder data with strong cryptography during transmission',
      items: [
        {
          id: 'req-4-inbound-mtls',
          kind: 'automatic',
          check: 'inbound-mtls',
          title: 'All inbound traffic is encrypted and mutually authenticated',
          description: 'The share of inbound requests over mTLS is 100%.',
          reference: 'PCI DSS v4.0 Req. 4.2.1',
        },
        {
          id: 'req-4-outbound-mtls',
          kind: 'automatic',
          check: 'outbound-mtls',
          title: 'All outbound traffic is encrypted and mutually authenticated',
          description: 'The share of outbound requests over mTLS is 100%.',
          reference: 'PCI DSS v4.0 Req. 4.2.1',
        },
        {
          id: 'req-4-meshed-pods',
          kind: 'automatic',
          check: 'meshed-pods',
          title: 'Every pod runs with the mesh proxy',
          description: 'No pod can send or receive traffic around the mesh.',
          reference: 'PCI DSS v4.0 Req. 4.2.1',
        },
        {
          id: 'req-4-certificates',
          kind: 'automatic',
          check: 'certificates',
          title: 'The mesh certificates are valid for more than 60 days',
          description:
            'Trust anchors, issuers and roots are valid and not close to expiry.',
          reference: 'PCI DSS v4.0 Req. 4.2.1',
        },
        {
          id: 'req-4-key-inventory',
          kind: 'manual',
          title: 'The trusted keys and certificates are inventoried',
          description:
            'Trust anchors and issuers are listed with their owners, expiry and rotation procedure.',
          reference: 'PCI DSS v4.0 Req. 4.2.1.1',
        },
        {
          id: 'req-4-edge-tls',
          kind: 'manual',
          title: 'Traffic from outside the mesh uses strong TLS',
          description:
            'Ingress and calls over public networks use TLS 1.2 or later with strong cipher suites.',
          reference: 'PCI DSS v4.0 Req. 4.2.1',
        },
      ],
    },
    {
      id: 'req-6',
      title: 'Requirement 6: Develop and maintain secure systems and software',
      items: [
        {
          id: 'req-6-mesh-patched',
          kind: 'manual',
          title:
            'The mesh proxy and control plane are on supported versions and patched promptly',
          description:
            'Critical and high security fixes are applied within one month of release.',
          reference: 'PCI DSS v4.0 Req. 6.3.3',
        },
        {
          id: 'req-6-policy-change-control',
          kind: 'manual',
          title:
            'Mesh and authorization policy changes go through change control',
          description:
            'They are reviewed and tested like code before reaching production.',
          reference: 'PCI DSS v4.0 Req. 6',
        },
      ],
    },
    {
      id: 'req-7',
      title:
        'Requirement 7: Restrict access to system components and cardholder data by business need to know',
      items: [
        {
          id: 'req-7-no-over-grants',
          kind: 'automatic',
          check: 'no-over-grants',
          title: 'No identity is admitted that does not need access',
          description:
            'Every identity the authorization policy admits actually calls the service.',
          reference: 'PCI DSS v4.0 Req. 7.2',
        },
        {
          id: 'req-7-caller-approval',
          kind: 'manual',
          title: 'New callers are approved by the service owner',
          reference: 'PCI DSS v4.0 Req. 7',
        },
      ],
    },
    {
      id: 'req-8',
      title:
        'Requirement 8: Identify users and authenticate access to system components',
      items: [
        {
          id: 'req-8-callers-authenticated',
          kind: 'automatic',
          check: 'inbound-mtls',
          title: 'Every caller is authenticated by its workload identity',
          description:
            'Inbound requests arrive over mTLS, so each carries the identity of the workload that sent it.',
          reference: 'PCI DSS v4.0 Req. 8',
        },
        {
          id: 'req-8-unique-identity',
          kind: 'manual',
          title: 'The service has an identity of its own',
          description:
            'It runs under its own service account; the identity is not shared with other workloads.',
          reference: 'PCI DSS v4.0 Req. 8.2',
        },
      ],
    },
    {
      id: 'req-10',
      title:
        'Requirement 10: Log and monitor all access to system components and cardholder data',
      items: [
        {
          id: 'req-10-access-logged',
          kind: 'manual',
          title: 'Access is logged with the caller identity',
          description:
            'Logs are kept for at least 12 months, the last three months immediately available.',
          reference: 'PCI DSS v4.0 Req. 10.2, 10.5.1',
        },
        {
          id: 'req-10-denials-monitored',
          kind: 'manual',
          title: 'Denied requests are monitored and alert someone',
          reference: 'PCI DSS v4.0 Req. 10.4',
        },
        {
          id: 'req-10-logs-protected',
          kind: 'manual',
          title: 'Audit logs are protected from change and deletion',
          reference: 'PCI DSS v4.0 Req. 10.3',
        },
      ],
    },
  ],
};

/**
 * Zero-trust networking: the principles of "Zero Trust Networks" (Gilman &
 * Barth), with the mesh answering what it can prove.
 * @public
 */
export const zeroTrustTemplate: ChecklistTemplate = {
  id: ZERO_TRUST_TEMPLATE_ID,
  version: 4,
  title: 'Zero-trust networking',
  description:
    'The network is always hostile; locality is not trust; every device, user and request is authenticated and authorized; policies are dynamic.',
  sections: [
    {
      id: 'hostile-network',
      title: 'The network is always hostile',
      items: [
        {
          id: 'inbound-mtls',
          kind: 'automatic',
          check: 'inbound-mtls',
          title: 'All inbound traffic is mutually authenticated',
          description: 'The share of inbound requests over mTLS is 100%.',
        },
        {
          id: 'outbound-mtls',
          kind: 'automatic',
          check: 'outbound-mtls',
          title: 'All outbound traffic is mutually authenticated',
          description: 'The share of outbound requests over mTLS is 100%.',
        },
        {
          id: 'meshed-pods',
          kind: 'automatic',
          check: 'meshed-pods',
          title: 'Every pod runs in the mesh',
        },
      ],
    },
    {
      id: 'locality',
      title: 'Locality is not trust',
      items: [
        {
          id: 'default-deny',
          kind: 'automatic',
          check: 'default-deny',
          title: 'Authorization is default-deny on every port',
          description:
            'Being inside the cluster or the namespace grants nothing by itself.',
        },
        {
          id: 'network-default-deny',
          kind: 'automatic',
          check: 'network-default-deny',
          title: 'The network denies by default beneath the mesh',
          description:
            'A Kubernetes NetworkPolicy isolates the pods both ways: a pod whose proxy is bypassed is still not open.',
        },
        {
          id: 'egress-declared',
          kind: 'automatic',
          check: 'egress-declared',
          title: 'Calls out of the mesh go only to declared destinations',
          description:
            'Being allowed to reach the internet is not a default: each external destination is declared, and the mesh refuses the rest.',
        },
        {
          id: 'no-network-allowlists',
          kind: 'manual',
          title: 'No access decision rests on network location alone',
          description:
            'Source IP ranges, namespaces or VPNs are never the only reason a request is allowed.',
        },
      ],
    },
    {
      id: 'authenticate-everything',
      title: 'Every device, user and request is authenticated and authorized',
      items: [
        {
          id: 'no-over-grants',
          kind: 'automatic',
          check: 'no-over-grants',
          title: 'No identity is admitted that never calls',
          description:
            'Every identity the authorization policy admits is one that actually calls the service.',
        },
        {
          id: 'end-user-authorization',
          kind: 'manual',
          title: 'End-user requests are authorized by the service itself',
          description:
            "The user's identity travels with the request and the service authorizes each request, beyond the caller's workload identity.",
        },
        {
          id: 'certificates',
          kind: 'automatic',
          check: 'certificates',
          title: 'Certificates are valid for more than 60 days',
        },
      ],
    },
    {
      id: 'dynamic-policy',
      title: 'Policies are dynamic',
      items: [
        {
          id: 'policy-as-code',
          kind: 'manual',
          title: 'Authorization policies are code',
          description:
            'Declared next to the service, deployed with it, and reviewed when its callers change.',
        },
        {
          id: 'denied-callers',
          kind: 'automatic',
          check: 'denied-callers',
          title: 'No caller is refused by policy',
          description:
            'A refused caller is an attack or a policy that lags behind the callers; either is looked into.',
        },
        {
          id: 'short-lived-credentials',
          kind: 'manual',
          title:
            'Workload credentials are short-lived and rotate by themselves',
          description:
            'Workload certificates are reissued automatically (Linkerd and Istio rotate them daily); nothing long-lived is baked into images.',
        },
      ],
    },
  ],
};

/**
 * The templates every installation has.
 * @public
 */
export const BUILT_IN_CHECKLIST_TEMPLATES: readonly ChecklistTemplate[] = [
  threatModelTemplate,
  pciDssV4Template,
  zeroTrustTemplate,
];

/**
 * The posture check ids automatic items can be bound to today. A template
 * may name others (a module can add checks); an id the posture does not
 * report makes its items `unknown`.
 * @public
 */
export const KNOWN_POSTURE_CHECK_IDS: readonly string[] = POSTURE_CHECK_IDS;

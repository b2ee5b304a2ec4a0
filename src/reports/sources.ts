/**
 * The standards and regulations contributions cite, each with what it asks for in our own words. Only facts the
 * project's regulatory and SLO references record are stated here; anything those mark as unconfirmed is left out.
 * @module
 */
import type { Citation } from './contribution.js';

export const SOURCES = {
  doraChange: {
    source: 'DORA RTS on ICT risk management, Delegated Regulation (EU) 2024/1774 Art 17',
    what: 'ICT change management: security requirements verified; approvers independent of requesters and implementers; each change documented with purpose, scope, timeline and expected outcome; fall-back and abort procedures; emergency changes documented, re-evaluated and approved afterwards; a security-impact assessment',
  },
  doraLogging: {
    source: 'DORA RTS 2024/1774 Art 12',
    what: 'logging: the entity decides which events to log and for how long; logs are protected against tampering, deletion and unauthorised access; logging failures are detected; clocks are synchronised to a documented reliable reference',
  },
  doraCapacity: {
    source: 'DORA RTS 2024/1774 Art 9',
    what: 'capacity and performance: procedures to identify capacity needs, optimise resources, monitor availability and efficiency, and prevent shortages',
  },
  doraContinuityTests: {
    source: 'DORA Art 11(6); DORA RTS 2024/1774 Art 25',
    what: 'business continuity and response and recovery plans tested at least yearly and after substantive changes, against severe but plausible scenarios, third-party services and switchover to redundant capacity included',
  },
  doraRecoveryPlans: {
    source: 'DORA RTS 2024/1774 Art 26',
    what: 'response and recovery plans state activation and deactivation conditions, recovery objectives, short- and long-term options including partial recovery, and success criteria',
  },
  doraBackup: {
    source: 'DORA Art 12(1)–(3)',
    what: 'backups scoped and scheduled by criticality, with restoration procedures, periodic restore tests, and restores onto systems segregated from the source',
  },
  doraTestingProgramme: {
    source: 'DORA Art 24',
    what: 'every ICT system and application supporting a critical or important function is tested at least yearly',
  },
  doraAccessAndScanning: {
    source: 'DORA RTS 2024/1774 Arts 10 and 21 (one secondary source)',
    what: 'access rights to systems supporting critical or important functions reviewed every 6 months; weekly automated vulnerability scans of those assets',
  },
  doraClassification: {
    source: 'Delegated Regulation (EU) 2024/1772 Arts 8 and 9',
    what: 'an ICT incident is major when it affects critical services and meets two or more thresholds, among them: more than 10% of the service’s clients or more than 100,000 clients affected, downtime over 2 hours of a service supporting a critical or important function, duration over 24 hours, impact in at least 2 Member States, costs over EUR 100,000; any successful malicious unauthorised access that may lead to data loss is enough on its own',
  },
  doraRecording: {
    source: 'DORA Art 17(2)',
    what: 'every ICT-related incident is recorded, not only the major ones',
  },
  doraReporting: {
    source: 'Delegated Regulation (EU) 2025/301 Art 5(1)–(2)',
    what: 'major incident reports: the initial notification within 4 hours of classification and no later than 24 hours after awareness; the intermediate report within 72 hours of the initial notification; the final report within 1 month of the latest intermediate report',
  },
  doraLateReport: {
    source: 'Delegated Regulation (EU) 2025/301 Art 5(3)',
    what: 'when a reporting deadline cannot be met, the competent authority is told before it expires, with the reasons',
  },
  doraThirdPartyOrigin: {
    source: 'Implementing Regulation (EU) 2025/302 Annex I, field 2.8',
    what: 'the initial notification records whether the incident originated at a third-party provider',
  },
  doraRegister: {
    source: 'DORA Art 28(3)',
    what: 'a register of all ICT third-party contractual arrangements, distinguishing those that support critical or important functions, reported to the competent authority at least yearly',
  },
  syscIbs: {
    source: 'FCA SYSC 15A.2.1R–2.4G',
    what: 'important business services identified, and the assessment reviewed on material change and at least every year',
  },
  syscTolerance: {
    source: 'FCA SYSC 15A.2.5R; PRA Operational Resilience Part 2.2–2.4',
    what: 'each important business service has an impact tolerance, the most disruption it can bear, which must include a length of time or point in time and may add other measures',
  },
  syscWithinTolerance: {
    source: 'FCA SYSC 15A.2.9R; PRA Operational Resilience Part 2.5–2.6',
    what: 'the firm must be able to remain within impact tolerance in a severe but plausible disruption (required from 31 March 2025)',
  },
  syscMapping: {
    source: 'FCA SYSC 15A.4.1R–4.3R',
    what: 'map the people, processes, technology, facilities and information, third parties included, that deliver each important business service; review on material change and at least every year',
  },
  syscScenarioTesting: {
    source: 'FCA SYSC 15A.5; PRA operational resilience rules',
    what: 'test regularly against severe but plausible scenarios and learn lessons from the exercises',
  },
  syscSelfAssessment: {
    source: 'FCA SYSC 15A.6.1R–6.2R',
    what: 'a written self-assessment covering services, tolerances, mapping, testing, lessons learned and vulnerabilities with remediation dates; each version kept for at least 6 years',
  },
  praSs121: {
    source: 'PRA SS1/21 Operational resilience',
    what: 'the PRA sets impact tolerances at the first point at which disruption would threaten the firm’s safety and soundness (or, for the largest firms, UK financial stability)',
  },
  toleranceNotRto: {
    source: 'Operational resilience guidance (secondary sources)',
    what: 'an impact tolerance is a maximum tolerable disruption set on harm, not a recovery target; recovery time objectives normally sit well inside it',
  },
  toleranceBreachIndicator: {
    source: 'UK operational resilience commentary (Forvis Mazars)',
    what: 'a breach of an impact tolerance is a strong indicator that an incident is reportable, though not the only trigger',
  },
  ukIncidentReporting: {
    source: 'FCA PS26/2 and FG26/3; PRA PS7/26 and SS1/26',
    what: 'from 18 March 2027: an initial report as soon as practicable and within 24 hours, intermediate reports on significant change, a final report within 30 working days; payment service providers keep a 4-hour initial deadline; an incident need not affect an important business service to be reportable',
  },
  supImmediate: {
    source: 'FCA SUP 15.3.1R; Principle 11',
    what: 'tell the FCA immediately of anything that could cause serious detriment to customers or affect the firm’s ability to provide adequate services, and deal with regulators openly',
  },
  gdprBreach: {
    source: 'UK GDPR and GDPR Art 33; ICO',
    what: 'report a personal-data breach to the supervisory authority without undue delay and, where feasible, within 72 hours of becoming aware; document every breach and any decision not to report',
  },
  pciChange: {
    source: 'PCI DSS v4.0.1 requirement 6.5.1',
    what: 'each production change records its reason and description, its security impact, documented approval by authorised parties, testing that security is not degraded, and procedures for failure and return to a secure state',
  },
  pciAfterChange: {
    source: 'PCI DSS v4.0.1 requirement 6.5.2',
    what: 'after a significant change, confirm that the applicable PCI DSS controls are in place and update the documentation',
  },
  pciSeparation: {
    source: 'PCI DSS v4.0.1 requirements 6.5.3–6.5.4',
    what: 'pre-production separated from production by access control; roles separated so that only reviewed and approved changes are deployed',
  },
  pciTestData: {
    source: 'PCI DSS v4.0.1 requirements 6.5.5–6.5.6',
    what: 'no live card numbers in pre-production unless it is in scope; test data and test accounts removed before going live',
  },
  pciLogging: {
    source: 'PCI DSS v4.0.1 requirements 10.2–10.5',
    what: 'log access to cardholder data, administrative actions, access to audit logs, invalid access attempts and credential changes, each entry with user, event type, time, outcome, origin and resource; protect and back up logs; review security logs daily; keep 12 months of history with the latest 3 months immediately available',
  },
  isoChange: {
    source: 'ISO/IEC 27001:2022 Annex A control 8.32',
    what: 'changes follow change-management procedures',
  },
  isoIncident: {
    source: 'ISO/IEC 27001:2022 Annex A controls 5.24–5.28',
    what: 'incident management planned and prepared; events assessed and decided; incidents responded to; lessons learned; evidence collected and preserved',
  },
  isoContinuity: {
    source: 'ISO/IEC 27001:2022 Annex A controls 5.29–5.30',
    what: 'security maintained during disruption; ICT readiness for business continuity with recovery objectives and tests',
  },
  isoLogging: {
    source: 'ISO/IEC 27001:2022 Annex A controls 8.15–8.16',
    what: 'logs of activities, exceptions and faults produced, stored and protected; networks and systems monitored for anomalous behaviour',
  },
  soc2Change: {
    source: 'SOC 2 Trust Services Criteria CC8.1',
    what: 'changes to infrastructure, data, software and procedures are authorised, designed, documented, tested, approved and implemented, with emergency changes and changes made to resolve incidents tracked',
  },
  soc2Operations: {
    source: 'SOC 2 Trust Services Criteria CC7.1–CC7.5',
    what: 'detect configuration changes and vulnerabilities, monitor for anomalies, evaluate security events, respond to incidents and recover from them',
  },
  soxChange: {
    source: 'SOX section 404 IT general controls (auditors’ practice)',
    what: 'changes are authorised, tested, approved and documented before production; developers do not deploy their own changes; auditors sample changes and ask for the approval and test evidence',
  },
  googleBudget: {
    source: 'Google SRE book, “Embracing Risk”',
    what: 'the error budget is the failure an SLO leaves room for (100% minus the objective): 99.9% over 30 days allows about 43.2 minutes of complete failure',
  },
  googleAlerting: {
    source: 'Google SRE workbook, “Alerting on SLOs”',
    what: 'multi-window, multi-burn-rate alerts: page when 2% of a 30-day budget goes in 1 hour (14.4×) or 5% in 6 hours (6×); open a ticket when 10% goes in 1 day (3×) or in 3 days (1×); each long window paired with a short one a twelfth of its length, both required to fire',
  },
  argoAnalysis: {
    source: 'Argo Rollouts analysis',
    what: 'analysis can run as a canary step or as blue-green pre- and post-promotion analysis; with sre-agent’s gate template a deny fails the measurement, which aborts and rolls back the rollout',
  },
} as const satisfies Record<string, Citation>;

export type SourceKey = keyof typeof SOURCES;

/** Collects the sources a contribution leans on, each once, in the order first used. */
export class Citations {
  private readonly keys = new Set<SourceKey>();

  add(...keys: ReadonlyArray<SourceKey>): void {
    for (const key of keys) this.keys.add(key);
  }

  list(): Citation[] {
    return [...this.keys].map((key) => SOURCES[key]);
  }
}

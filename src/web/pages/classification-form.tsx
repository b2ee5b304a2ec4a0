import { useState } from 'preact/hooks';
import { ApiError, request } from '../api.js';
import type { Incident } from '../api-types.js';
import { ErrorNotice } from '../components/page.js';

const REGIMES = [
  { key: 'gdprPersonalDataBreach', label: 'Personal-data breach (GDPR / UK GDPR Art 33)' },
  { key: 'nis2Significant', label: 'Significant incident under NIS2 (Art 23)' },
  { key: 'ukOperationalIncident', label: 'Operational incident meeting a UK reporting threshold (FCA / PRA)' },
] as const;

const CRITICAL = [
  { key: 'criticalOrImportantFunctions', label: 'Affects ICT services supporting critical or important functions' },
  { key: 'authorisedFinancialServices', label: 'Affects financial services that require authorisation' },
  {
    key: 'maliciousUnauthorisedAccess',
    label: 'Successful, malicious and unauthorised access to network and information systems',
  },
] as const;

const DATA_IMPACT = ['availability', 'authenticity', 'integrity', 'confidentiality'] as const;

/** `assess`: leave it to the server's DORA assessment of the inputs (not major without them). */
type DoraMajorChoice = 'assess' | 'yes' | 'no';

interface FormState {
  readonly doraMajor: DoraMajorChoice;
  readonly regimes: Record<string, boolean>;
  readonly critical: Record<string, boolean>;
  readonly data: Record<string, boolean>;
  readonly clientsAffected: string;
  readonly clientsTotal: string;
  readonly transactionsAffected: string;
  readonly durationMinutes: string;
  readonly memberStates: string;
  readonly costsEur: string;
  readonly mediaCoverage: boolean;
  readonly estimates: boolean;
  readonly rootCause: string;
}

const EMPTY: FormState = {
  doraMajor: 'assess',
  regimes: {},
  critical: {},
  data: {},
  clientsAffected: '',
  clientsTotal: '',
  transactionsAffected: '',
  durationMinutes: '',
  memberStates: '',
  costsEur: '',
  mediaCoverage: false,
  estimates: false,
  rootCause: '',
};

type Figure = { value: number; estimate?: boolean };

/** The request body; numbers left empty are left out, which the server counts as not met. */
function bodyOf(state: FormState): Record<string, unknown> {
  const figure = (text: string): Figure | undefined => {
    if (text.trim() === '') return undefined;
    const value = Number(text);
    return { value, ...(state.estimates ? { estimate: true } : {}) };
  };
  const clientsAffected = figure(state.clientsAffected);
  const clientsTotal = figure(state.clientsTotal);
  const transactions = figure(state.transactionsAffected);
  const duration = figure(state.durationMinutes);
  const costs = figure(state.costsEur);
  const memberStates = state.memberStates
    .split(/[\s,]+/)
    .map((code) => code.trim().toUpperCase())
    .filter((code) => code !== '');
  const anyDora =
    Object.values(state.critical).some(Boolean) ||
    [clientsAffected, clientsTotal, transactions, duration, costs].some((value) => value !== undefined) ||
    memberStates.length > 0 ||
    Object.values(state.data).some(Boolean) ||
    state.mediaCoverage;
  const dora = {
    criticalServices: Object.fromEntries(CRITICAL.map(({ key }) => [key, state.critical[key] === true])),
    ...(clientsAffected !== undefined || clientsTotal !== undefined
      ? {
          clients: {
            ...(clientsAffected === undefined ? {} : { affected: clientsAffected }),
            ...(clientsTotal === undefined ? {} : { total: clientsTotal }),
          },
        }
      : {}),
    ...(transactions === undefined ? {} : { transactions: { affectedNumber: transactions } }),
    ...(duration === undefined ? {} : { duration: { minutes: duration } }),
    ...(memberStates.length === 0 ? {} : { memberStates }),
    ...(Object.values(state.data).some(Boolean)
      ? { dataImpact: Object.fromEntries(DATA_IMPACT.map((key) => [key, state.data[key] === true])) }
      : {}),
    ...(costs === undefined ? {} : { economic: { costsAndLossesEur: costs } }),
    ...(state.mediaCoverage ? { reputational: { mediaCoverage: true } } : {}),
  };
  return {
    regimes: {
      ...Object.fromEntries(REGIMES.map(({ key }) => [key, state.regimes[key] === true])),
      // Sent only when the person decides; otherwise the server takes the assessment's answer.
      ...(state.doraMajor === 'assess' ? {} : { doraMajor: state.doraMajor === 'yes' }),
    },
    ...(anyDora ? { dora } : {}),
    ...(state.rootCause.trim() === '' ? {} : { rootCause: state.rootCause.trim() }),
  };
}

function Check({
  id,
  label,
  checked,
  onChange,
}: {
  readonly id: string;
  readonly label: string;
  readonly checked: boolean;
  readonly onChange: (checked: boolean) => void;
}) {
  return (
    <div class="check">
      <input id={id} type="checkbox" checked={checked} onChange={(event) => onChange(event.currentTarget.checked)} />
      <label for={id}>{label}</label>
    </div>
  );
}

function NumberField({
  id,
  label,
  value,
  onInput,
}: {
  readonly id: string;
  readonly label: string;
  readonly value: string;
  readonly onInput: (value: string) => void;
}) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        type="number"
        min="0"
        step="any"
        inputMode="decimal"
        value={value}
        onInput={(event) => onInput(event.currentTarget.value)}
      />
    </div>
  );
}

/** A second classification starts from the first, so adding GDPR does not quietly drop DORA. */
function startingFrom(incident: Incident): FormState {
  const earlier = incident.classification;
  if (earlier === undefined) return EMPTY;
  const assessed = earlier.dora?.assessment !== undefined;
  return {
    ...EMPTY,
    // An earlier major classification stays major unless the person changes it; the inputs are not carried over.
    doraMajor: earlier.regimes.doraMajor === true ? 'yes' : assessed ? 'assess' : 'no',
    regimes: Object.fromEntries(REGIMES.map(({ key }) => [key, earlier.regimes[key] === true])),
    rootCause: earlier.rootCause ?? '',
  };
}

/** Records the regulatory classification; the server computes the DORA assessment and starts the clocks from it. */
export function ClassificationForm({
  incident,
  onClassified,
}: {
  readonly incident: Incident;
  readonly onClassified: () => void;
}) {
  const [state, setState] = useState<FormState>(() => startingFrom(incident));
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [saved, setSaved] = useState<string | undefined>(undefined);
  const [saving, setSaving] = useState(false);
  const set = (patch: Partial<FormState>): void => setState((before) => ({ ...before, ...patch }));

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setSaving(true);
    setError(undefined);
    setSaved(undefined);
    try {
      const result = await request<Incident>(`/api/v1/incidents/${encodeURIComponent(incident.id)}/classification`, {
        method: 'POST',
        body: bodyOf(state),
      });
      const assessment = result.classification?.dora?.assessment;
      setSaved(
        assessment === undefined
          ? 'Classification recorded.'
          : `Classification recorded. DORA assessment: ${assessment.major ? 'major' : 'not major'}. ${assessment.explanation}`,
      );
      onClassified();
    } catch (caught: unknown) {
      setError(
        caught instanceof ApiError ? caught : new ApiError('the classification could not be sent', 0, 'CLIENT', []),
      );
    } finally {
      setSaving(false);
    }
  };

  return (
    <form class="classification" onSubmit={(event) => void submit(event)} aria-labelledby="classify-heading">
      <h3 id="classify-heading">Record a classification</h3>
      <fieldset>
        <legend>Regimes that apply</legend>
        <div class="field">
          <label for="dora-major">Major ICT-related incident under DORA</label>
          <select
            id="dora-major"
            value={state.doraMajor}
            onChange={(event) => {
              const value = event.currentTarget.value;
              if (value === 'assess' || value === 'yes' || value === 'no') set({ doraMajor: value });
            }}
          >
            <option value="assess">Work it out from the DORA inputs below (not major without them)</option>
            <option value="yes">Yes, major</option>
            <option value="no">No, not major</option>
          </select>
        </div>
        {REGIMES.map(({ key, label }) => (
          <Check
            key={key}
            id={`regime-${key}`}
            label={label}
            checked={state.regimes[key] === true}
            onChange={(value) => set({ regimes: { ...state.regimes, [key]: value } })}
          />
        ))}
      </fieldset>
      <fieldset>
        <legend>DORA inputs (Commission Delegated Regulation 2024/1772)</legend>
        {CRITICAL.map(({ key, label }) => (
          <Check
            key={key}
            id={`critical-${key}`}
            label={label}
            checked={state.critical[key] === true}
            onChange={(value) => set({ critical: { ...state.critical, [key]: value } })}
          />
        ))}
        <div class="fields">
          <NumberField
            id="clients-affected"
            label="Clients affected"
            value={state.clientsAffected}
            onInput={(value) => set({ clientsAffected: value })}
          />
          <NumberField
            id="clients-total"
            label="Clients using the service"
            value={state.clientsTotal}
            onInput={(value) => set({ clientsTotal: value })}
          />
          <NumberField
            id="transactions-affected"
            label="Transactions affected"
            value={state.transactionsAffected}
            onInput={(value) => set({ transactionsAffected: value })}
          />
          <NumberField
            id="duration-minutes"
            label="Duration (minutes)"
            value={state.durationMinutes}
            onInput={(value) => set({ durationMinutes: value })}
          />
          <NumberField
            id="costs-eur"
            label="Costs and losses (EUR)"
            value={state.costsEur}
            onInput={(value) => set({ costsEur: value })}
          />
          <div class="field">
            <label for="member-states">Member States affected (ISO codes, such as IE FR)</label>
            <input
              id="member-states"
              type="text"
              value={state.memberStates}
              onInput={(event) => set({ memberStates: event.currentTarget.value })}
            />
          </div>
        </div>
        <fieldset>
          <legend>Data affected</legend>
          {DATA_IMPACT.map((key) => (
            <Check
              key={key}
              id={`data-${key}`}
              label={key}
              checked={state.data[key] === true}
              onChange={(value) => set({ data: { ...state.data, [key]: value } })}
            />
          ))}
        </fieldset>
        <Check
          id="media"
          label="Media coverage (reputational impact)"
          checked={state.mediaCoverage}
          onChange={(value) => set({ mediaCoverage: value })}
        />
        <Check
          id="estimates"
          label="The figures are estimates"
          checked={state.estimates}
          onChange={(value) => set({ estimates: value })}
        />
      </fieldset>
      <div class="field">
        <label for="root-cause">Root cause (the same words link recurring incidents)</label>
        <input
          id="root-cause"
          type="text"
          maxLength={200}
          value={state.rootCause}
          onInput={(event) => set({ rootCause: event.currentTarget.value })}
        />
      </div>
      <button type="submit" disabled={saving}>
        {saving ? 'Recording…' : 'Record classification'}
      </button>
      <ErrorNotice error={error} what="record the classification" />
      <div role="status">{saved !== undefined && <p class="notice notice-ok">{saved}</p>}</div>
    </form>
  );
}

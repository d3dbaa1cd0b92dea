"use client";
import { inputClass } from "@/components/approvals/types";

export type Choice = { id: string; name: string };
export type RuleChoices = { people: Choice[]; groups: Choice[]; agents: Choice[] };
export type SubjectValue = { subject: string; personId: string; groupId: string; agentId: string; toolName: string };

export const SUBJECT_LABELS: Record<string, string> = {
  person: "a person",
  group: "a group",
  unidentified: "calls with no provable requester",
  anyone: "anyone",
};

/** A labelled control with its first field error under it. */
export function LabeledField({ label, error, children }: { label: string; error?: string | null; children: React.ReactNode }) {
  return (
    <label className="block text-sm">
      <span className="mb-1 block font-medium">{label}</span>
      {children}
      {error && (
        <span role="alert" className="mt-1 block text-red-600">
          {error}
        </span>
      )}
    </label>
  );
}

/** Who (person, group, unidentified, anyone) × which agent × which tool: shared by the rule and limit forms. */
export function SubjectFields({ value, onChange, choices, errors }: { value: SubjectValue; onChange: (v: SubjectValue) => void; choices: RuleChoices; errors: Record<string, string[]> }) {
  const set = (k: keyof SubjectValue) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => onChange({ ...value, [k]: e.target.value });
  const err = (k: string) => errors[k]?.[0] ?? null;
  return (
    <>
      <LabeledField label="Who" error={err("subject")}>
        <select className={inputClass} value={value.subject} onChange={set("subject")} aria-label="Who">
          {Object.entries(SUBJECT_LABELS).map(([k, label]) => (
            <option key={k} value={k}>
              {label}
            </option>
          ))}
        </select>
      </LabeledField>
      {value.subject === "person" && (
        <LabeledField label="Person" error={err("personId")}>
          <select className={inputClass} value={value.personId} onChange={set("personId")} aria-label="Person" aria-invalid={Boolean(err("personId"))}>
            <option value="">{choices.people.length ? "Choose…" : "No people in the directory yet"}</option>
            {choices.people.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </LabeledField>
      )}
      {value.subject === "group" && (
        <LabeledField label="Group" error={err("groupId")}>
          <select className={inputClass} value={value.groupId} onChange={set("groupId")} aria-label="Group" aria-invalid={Boolean(err("groupId"))}>
            <option value="">{choices.groups.length ? "Choose…" : "No groups yet"}</option>
            {choices.groups.map((g) => (
              <option key={g.id} value={g.id}>
                {g.name}
              </option>
            ))}
          </select>
        </LabeledField>
      )}
      <LabeledField label="Agent" error={err("agentId")}>
        <select className={inputClass} value={value.agentId} onChange={set("agentId")} aria-label="Agent" aria-invalid={Boolean(err("agentId"))}>
          <option value="">every agent</option>
          {choices.agents.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </select>
      </LabeledField>
      <LabeledField label="Tool (empty: every tool)" error={err("toolName")}>
        <input className={inputClass} value={value.toolName} onChange={set("toolName")} placeholder="payments.send" aria-label="Tool" aria-invalid={Boolean(err("toolName"))} />
      </LabeledField>
    </>
  );
}

/** The subject part of a create request: only what the subject names, "" as "any". */
export function subjectInput(v: SubjectValue) {
  return {
    subject: v.subject,
    ...(v.subject === "person" ? { personId: v.personId || null } : {}),
    ...(v.subject === "group" ? { groupId: v.groupId || null } : {}),
    agentId: v.agentId || null,
    toolName: v.toolName.trim() || null,
  };
}

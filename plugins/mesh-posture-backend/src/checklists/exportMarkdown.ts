import {
  CHECKLIST_ANSWER_LABELS,
  ChecklistEvent,
  ChecklistExport,
  checklistItems,
  ChecklistItemOutcome,
  ChecklistItemState,
  ChecklistView,
  EvidenceLink,
} from '@mesh-posture/plugin-mesh-posture-common';

/*
 * The Markdown export for auditors. Everything people typed is escaped, so
 * a rationale cannot open a heading, a list, a table cell, a link or HTML
 * (CommonMark with GFM tables). Renderers that turn bare URLs into links
 * (GitHub's autolinks) still show them as the text that was written.
 */

// Every line ending CommonMark knows (LF, CR, CRLF) and those other readers
// honour (NEL, LS, PS, VT, FF): text people typed stays on its line, so it
// can never open a heading or a list, or end a table row.
// eslint-disable-next-line no-control-regex
const LINE_ENDINGS = /\r\n|[\n\r\u000B\u000C\u0085\u2028\u2029]/g;

/** Escapes text for inline Markdown, on one line. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(LINE_ENDINGS, ' ')
    .replace(/([\\`*_{}[\]<>|~!#&])/g, '\\$1');
}

function link({ url, title }: EvidenceLink): string {
  // Only RFC 3986's unreserved and reserved characters stay as they are
  // (and `%`); the rest, and those Markdown reads inside a link destination
  // or a table cell (`( ) < > | \\ \``), are percent-encoded.
  const safeUrl = url.replace(/[^A-Za-z0-9\-._~:/?#[\]@!$&'*+,;=%]/g, c =>
    [...new TextEncoder().encode(c)]
      .map(b => `%${b.toString(16).toUpperCase().padStart(2, '0')}`)
      .join(''),
  );
  return `[${escapeMarkdown(title ?? url)}](<${safeUrl}>)`;
}

function when(iso: string): string {
  return `${iso
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '')
    .replace(/Z$/, '')} UTC`;
}

const OUTCOME: Record<ChecklistItemOutcome, string> = {
  met: 'Met',
  gap: 'Gap',
  open: 'Open',
  exempt: 'Exempt',
};

function itemLines(
  state: ChecklistItemState,
  title: string,
  evidenceId: string | undefined,
): string[] {
  const lines: string[] = [];
  // The same id the JSON export gives the item, for an assessor to cite.
  const cite = evidenceId ? ` \`${evidenceId}\`` : '';
  const head = `- **${escapeMarkdown(title)}**${cite} — ${
    OUTCOME[state.outcome]
  }`;
  if (state.automatic) {
    const a = state.automatic;
    lines.push(
      `${head} (automatic, posture check \`${a.check}\`: ${a.status})`,
      `  - Mesh evidence: ${escapeMarkdown(a.detail)}${
        a.observedAt
          ? ` (observed ${when(a.observedAt)}, window ${a.window}${
              a.demo ? ', demo data' : ''
            })`
          : ''
      }`,
    );
  } else if (state.answer) {
    const answer = state.answer;
    lines.push(
      `${head}: ${CHECKLIST_ANSWER_LABELS[answer.value]}${
        state.needsReanswer
          ? ' (given to an earlier wording; must be answered again)'
          : ''
      }`,
      `  - Answered by ${escapeMarkdown(answer.answeredBy)} on ${when(
        answer.answeredAt,
      )} (template version ${answer.templateVersion})`,
    );
    if (answer.rationale) {
      lines.push(`  - Rationale: ${escapeMarkdown(answer.rationale)}`);
    }
    for (const evidence of answer.evidence) {
      lines.push(`  - Evidence: ${link(evidence)}`);
    }
  } else {
    lines.push(`${head}: unanswered`);
  }
  if (state.exemption) {
    const e = state.exemption;
    lines.push(
      `  - Exemption ${e.active ? 'until' : 'expired on'} ${when(
        e.expiresAt,
      )}, approved by ${escapeMarkdown(e.approvedBy)} on ${when(
        e.approvedAt,
      )}: ${escapeMarkdown(e.justification)}`,
    );
  }
  return lines;
}

function describeChange(event: ChecklistEvent, titles: Map<string, string>) {
  const title = (id: string) => escapeMarkdown(titles.get(id) ?? id);
  switch (event.kind) {
    case 'answer': {
      const from = event.old ? CHECKLIST_ANSWER_LABELS[event.old.value] : '—';
      const to = CHECKLIST_ANSWER_LABELS[event.new.value];
      const rationale = event.new.rationale
        ? `; rationale: ${escapeMarkdown(event.new.rationale)}`
        : '';
      const evidence = event.new.evidence.length
        ? `; evidence: ${event.new.evidence.map(link).join(', ')}`
        : '';
      return `Answer to ${title(
        event.itemId,
      )}: ${from} → ${to}${rationale}${evidence}`;
    }
    case 'exemption':
      return event.new
        ? `Exemption of ${title(event.itemId)} until ${when(
            event.new.expiresAt,
          )}: ${escapeMarkdown(event.new.justification)}`
        : `Exemption of ${title(event.itemId)} revoked`;
    case 'attestation': {
      const p = event.new.progress;
      const automatic = event.new.automatic
        .map(a => `${title(a.itemId)} ${a.status}`)
        .join(', ');
      return `Attested: ${p.answered}/${p.total} answered, ${p.met} met, ${
        p.gaps
      } gaps, ${p.exempt} exempt${automatic ? `; mesh: ${automatic}` : ''}${
        event.new.comment
          ? `; comment: ${escapeMarkdown(event.new.comment)}`
          : ''
      }`;
    }
    default:
      return '';
  }
}

function checklistSection(
  view: ChecklistView & {
    history: ChecklistEvent[];
    evidenceIds?: Record<string, string>;
  },
): string[] {
  const t = view.template;
  const p = view.progress;
  const titles = new Map(
    checklistItems(t).map(({ item }) => [item.id, item.title]),
  );
  const lines = [
    `## ${escapeMarkdown(t.title)}`,
    '',
    `Template \`${t.id}\` version ${t.version} (${t.source}), checklist version ${view.version}.`,
    '',
    `Progress: ${p.answered} of ${p.total} answered · ${p.met} met · ${
      p.gaps
    } gaps · ${p.open} open · ${p.exempt} exempt${
      p.needsReanswer ? ` · ${p.needsReanswer} to answer again` : ''
    }`,
    '',
  ];
  const a = view.attestation;
  if (a) {
    lines.push(
      `Attestation: **${a.state}** — attested by ${escapeMarkdown(
        a.attestedBy,
      )} on ${when(a.attestedAt)} under template version ${
        a.templateVersion
      }, valid until ${when(a.validUntil)}.${
        a.comment ? ` Comment: ${escapeMarkdown(a.comment)}` : ''
      }`,
    );
    for (const reason of a.reasons) {
      lines.push(`- ${escapeMarkdown(reason.message)}`);
    }
    if (a.automatic.length > 0) {
      lines.push('', 'Mesh evidence recorded at attestation:');
      for (const e of a.automatic) {
        lines.push(
          `- ${escapeMarkdown(titles.get(e.itemId) ?? e.itemId)}: ${
            e.status
          } — ${escapeMarkdown(e.detail)}${
            e.observedAt ? ` (observed ${when(e.observedAt)})` : ''
          }`,
        );
      }
    }
  } else {
    lines.push('Attestation: not attested.');
  }
  lines.push('');
  const states = new Map(view.items.map(i => [i.itemId, i]));
  for (const section of t.sections) {
    lines.push(`### ${escapeMarkdown(section.title)}`, '');
    for (const item of section.items) {
      const state = states.get(item.id);
      if (state) {
        lines.push(
          ...itemLines(state, item.title, view.evidenceIds?.[item.id]),
        );
      }
      if (item.reference) {
        lines.push(`  - Reference: ${escapeMarkdown(item.reference)}`);
      }
    }
    lines.push('');
  }
  lines.push('### History', '');
  if (view.history.length === 0) {
    lines.push('No changes yet.', '');
  } else {
    lines.push(
      '| Version | When | Who | Change |',
      '| --- | --- | --- | --- |',
    );
    for (const event of view.history) {
      lines.push(
        `| ${event.version} | ${when(event.createdAt)} | ${escapeMarkdown(
          event.actor,
        )} | ${describeChange(event, titles)} |`,
      );
    }
    lines.push('');
  }
  return lines;
}

/** Renders the export as one Markdown document. */
export function renderChecklistExportMarkdown(data: ChecklistExport): string {
  const posture = data.posture.available
    ? `generated ${when(data.posture.generatedAt!)}, window ${
        data.posture.window
      }, verdict ${data.posture.verdict}${
        data.posture.demo ? ' (demo data)' : ''
      }`
    : `unavailable: ${escapeMarkdown(data.posture.reason ?? 'unknown')}`;
  const lines = [
    `# Compliance checklists of ${escapeMarkdown(data.entity.ref)}`,
    '',
    `Exported ${when(data.exportedAt)} by ${escapeMarkdown(data.exportedBy)}.${
      data.entity.owner ? ` Owner: ${escapeMarkdown(data.entity.owner)}.` : ''
    }`,
    '',
    `Automatic items were judged on the live mesh posture: ${posture}. Attestations hold for ${data.attestationValidityDays} days.`,
    '',
  ];
  if (data.unknownTemplateIds.length > 0) {
    lines.push(
      `The entity's annotation names unknown templates: ${data.unknownTemplateIds
        .map(escapeMarkdown)
        .join(', ')}.`,
      '',
    );
  }
  if (data.checklists.length === 0) {
    lines.push('No checklist applies to this entity.', '');
  }
  for (const checklist of data.checklists) {
    lines.push(...checklistSection(checklist));
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

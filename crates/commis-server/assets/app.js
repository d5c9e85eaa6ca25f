// commis web UI: plain JavaScript, no framework, no network beyond this server.
// Every piece of text from the server (file names, document content, briefs) goes into
// the page through textContent, never as HTML.
'use strict';

const I18N = {
  en: {
    skip: 'Skip to content', nav: 'Main', nav_new: 'New task', nav_history: 'History', language: 'Language',
    new_title: 'Start a task', folder: 'Folder', folder_pick: 'Granted folder', folder_typed: 'Or type a folder path',
    folder_none: '— choose —', brief: 'What result do you want?',
    brief_hint: 'Describe it in plain words, e.g. “Sort these files by type and build a catalogue”.',
    template: 'Start from a template', template_none: '— no template —', read_only: 'Read only (nothing will be changed)',
    start: 'Prepare a plan', starting: 'Preparing…',
    nothing_runs: 'Nothing happens to your files before you accept the plan.',
    planner: 'Planner: {p}',
    run: 'Run', status: 'Status', elapsed: 'Elapsed', tokens: 'Tokens', cost: 'Cost',
    tokens_val: '{i} in / {o} out',
    st_planning: 'Planning', st_running: 'Running', st_needs_input: 'Waiting for you', st_done: 'Done',
    st_failed: 'Failed', st_stopped: 'Stopped', st_unsupported: 'Not supported', st_interrupted: 'Interrupted',
    waiting: 'Waiting for you', waiting_plan: 'Review the plan below, then accept or reject it.',
    waiting_question: 'commis has a question.', waiting_approval: 'commis asks your permission.',
    plan: 'The plan', plan_review: 'Review the plan',
    plan_help: 'Edit titles and descriptions, reorder, add or remove steps. Untick the moves you do not want.',
    step: 'Step {n}', step_title: 'Title of step {n}', step_desc: 'Description of step {n}',
    up: 'Move up', down: 'Move down', remove: 'Remove', add_step: 'Add a step', new_step: 'New step',
    needs_approval: 'asks before acting', reads: 'Reads', produces: 'Produces',
    changes: 'Changes ({k} of {n} kept)', keep: 'Keep', from: 'From', to: 'To', reason: 'Why', confidence: 'Confidence',
    keep_line: 'Keep the move of {f}', keep_group: 'Keep every change into {d}', group_count: '({k} of {n} kept)', top_folder: '(top of the folder)',
    accept: 'Accept and run', reject: 'Reject', accepted: 'Plan accepted.', rejected: 'Plan rejected.',
    added_offline: 'The offline planner can only run the steps it proposed; a step you add will be reported as not runnable.',
    question: 'Question', your_answer: 'Your answer', answer: 'Answer', later: 'Later',
    appr_title: 'Allow this action?', appr_kind: 'Kind of action: {k}', appr_paths: 'Files concerned ({n})',
    appr_once: 'Yes, this once', appr_run: 'Yes, all “{k}” for this run', appr_always: 'Always in this folder',
    appr_no: 'No', appr_stop: 'Stop the run',
    k_create: 'create', k_modify: 'modify', k_move: 'move', k_delete: 'delete', k_exec: 'run a command',
    k_network: 'network', k_read: 'read', k_outside: 'write outside the output folder',
    progress: 'Progress', trace: 'Decisions and events', stop: 'Stop', stopping: 'Stopping…', resume: 'Resume',
    results: 'Results', created: 'Created', modified: 'Changed', moved: 'Moved', deleted: 'Deleted',
    nothing_changed: 'No file was changed.', preview: 'Preview', close_preview: 'Close preview',
    preview_of: 'Preview of {p}', sheet: 'Sheet', slide: 'Slide {n}', notes: 'Notes', truncated: 'Only the beginning is shown.',
    no_preview_image: 'This is an image; open it from your folder.',
    undo: 'Undo this run', undo_confirm: 'Restore every file as it was before this run?', undo_yes: 'Yes, undo',
    undo_force: 'Undo anyway (later changes are kept as backups)', cancel: 'Cancel', undone: 'Undone: {n} change(s) reverted.',
    undone_already: 'This run was undone.',
    history: 'History', when: 'When', brief_col: 'Brief', folder_col: 'Folder', actions: 'Actions', open: 'Open',
    no_runs: 'No run yet.', error: 'Error: {e}', loading: 'Loading…', message: 'Message', warning: 'Warning',
    ev_run_started: 'Run started', ev_plan_proposed: 'Plan proposed ({n} steps)', ev_plan_edited: 'Plan edited',
    ev_plan_accepted: 'Plan accepted', ev_plan_rejected: 'Plan rejected', ev_step_started: 'Step {n} started: {t}',
    ev_step_finished: 'Step {n}: {s}', ev_approval_asked: 'Asked: {d}', ev_approval_given: 'Approved ({by})',
    ev_approval_refused: 'Refused: {r}', ev_question_asked: 'Question: {q}', ev_question_answered: 'Answer: {a}',
    ev_tool_failed: '{t} failed: {e}', ev_run_finished: 'Run finished: {s}',
    step_pending: 'pending', step_running: 'running', step_done: 'done', step_failed: 'failed', step_skipped: 'skipped',
    items: '{d} / {t}', run_not_found: 'This run does not exist.',
    pause: 'Pause', unpause: 'Continue', pausing: 'Pausing…', st_paused: 'Paused',
    paused_banner: 'The run waits before its next step or action. Continue when you are ready, or stop it.',
    ev_run_paused: 'Run paused', ev_run_resumed: 'Run continued',
    tpl_values: 'Values for this template', tpl_filled: 'Brief that will be sent:',
    tpl_save_open: 'Save this brief as a template', tpl_name: 'Template name',
    tpl_hint: 'Write {name} or {name=default} in the brief for what changes from one run to the next, e.g. “Summarise the invoices of {month=March}”.',
    tpl_delete: 'Delete this template', tpl_delete_confirm: 'Delete the template “{n}”? Runs made from it are kept.',
    tpl_delete_yes: 'Yes, delete', tpl_deleted: 'Template “{n}” deleted.',
    tpl_save: 'Save the template', tpl_saved: 'Template “{n}” saved.', tpl_replace: 'Replace “{n}”',
    resume_hint: 'Interrupted? Resume it here, unless another commis is still running it.', no_steps: 'No step ran.', slide_images: 'Show the slides as images', rendering: 'Rendering with LibreOffice…', by_user: 'by you', by_run: 'for this run', by_policy: 'by the policy', by_rule: 'by a saved rule', 'by_output folder': 'inside the output folder', 'by_--allow': 'by --allow',
  },
  fr: {
    skip: 'Aller au contenu', nav: 'Principal', nav_new: 'Nouvelle tâche', nav_history: 'Historique', language: 'Langue',
    new_title: 'Lancer une tâche', folder: 'Dossier', folder_pick: 'Dossier autorisé', folder_typed: 'Ou tapez le chemin d’un dossier',
    folder_none: '— choisir —', brief: 'Quel résultat voulez-vous ?',
    brief_hint: 'Décrivez-le simplement, par ex. « Trie ces fichiers par type et crée un catalogue ».',
    template: 'Partir d’un modèle', template_none: '— aucun modèle —', read_only: 'Lecture seule (rien ne sera modifié)',
    start: 'Préparer un plan', starting: 'Préparation…',
    nothing_runs: 'Rien n’arrive à vos fichiers avant que vous acceptiez le plan.',
    planner: 'Planificateur : {p}',
    run: 'Tâche', status: 'État', elapsed: 'Durée', tokens: 'Jetons', cost: 'Coût',
    tokens_val: '{i} entrée / {o} sortie',
    st_planning: 'Préparation', st_running: 'En cours', st_needs_input: 'Vous attend', st_done: 'Terminée',
    st_failed: 'Échec', st_stopped: 'Arrêtée', st_unsupported: 'Non prise en charge', st_interrupted: 'Interrompue',
    waiting: 'commis vous attend', waiting_plan: 'Relisez le plan ci-dessous, puis acceptez-le ou refusez-le.',
    waiting_question: 'commis a une question.', waiting_approval: 'commis demande votre accord.',
    plan: 'Le plan', plan_review: 'Relire le plan',
    plan_help: 'Modifiez titres et descriptions, réordonnez, ajoutez ou retirez des étapes. Décochez les déplacements dont vous ne voulez pas.',
    step: 'Étape {n}', step_title: 'Titre de l’étape {n}', step_desc: 'Description de l’étape {n}',
    up: 'Monter', down: 'Descendre', remove: 'Retirer', add_step: 'Ajouter une étape', new_step: 'Nouvelle étape',
    needs_approval: 'demande avant d’agir', reads: 'Lit', produces: 'Produit',
    changes: 'Changements ({k} sur {n} gardés)', keep: 'Garder', from: 'De', to: 'Vers', reason: 'Pourquoi', confidence: 'Confiance',
    keep_line: 'Garder le déplacement de {f}', keep_group: 'Garder tous les changements vers {d}', group_count: '({k} sur {n} gardés)', top_folder: '(racine du dossier)',
    accept: 'Accepter et lancer', reject: 'Refuser', accepted: 'Plan accepté.', rejected: 'Plan refusé.',
    added_offline: 'Le planificateur hors ligne n’exécute que les étapes qu’il a proposées ; une étape ajoutée sera signalée comme non exécutable.',
    question: 'Question', your_answer: 'Votre réponse', answer: 'Répondre', later: 'Plus tard',
    appr_title: 'Autoriser cette action ?', appr_kind: 'Type d’action : {k}', appr_paths: 'Fichiers concernés ({n})',
    appr_once: 'Oui, cette fois', appr_run: 'Oui, tous les « {k} » de cette tâche', appr_always: 'Toujours dans ce dossier',
    appr_no: 'Non', appr_stop: 'Arrêter la tâche',
    k_create: 'créer', k_modify: 'modifier', k_move: 'déplacer', k_delete: 'supprimer', k_exec: 'lancer une commande',
    k_network: 'réseau', k_read: 'lire', k_outside: 'écrire hors du dossier de sortie',
    progress: 'Avancement', trace: 'Décisions et événements', stop: 'Arrêter', stopping: 'Arrêt…', resume: 'Reprendre',
    results: 'Résultats', created: 'Créés', modified: 'Modifiés', moved: 'Déplacés', deleted: 'Supprimés',
    nothing_changed: 'Aucun fichier n’a été modifié.', preview: 'Aperçu', close_preview: 'Fermer l’aperçu',
    preview_of: 'Aperçu de {p}', sheet: 'Feuille', slide: 'Diapositive {n}', notes: 'Notes', truncated: 'Seul le début est affiché.',
    no_preview_image: 'C’est une image ; ouvrez-la depuis votre dossier.',
    undo: 'Annuler cette tâche', undo_confirm: 'Remettre chaque fichier comme avant cette tâche ?', undo_yes: 'Oui, annuler',
    undo_force: 'Annuler quand même (les modifications ultérieures sont sauvegardées)', cancel: 'Retour', undone: 'Annulé : {n} changement(s) défait(s).',
    undone_already: 'Cette tâche a été annulée.',
    history: 'Historique', when: 'Quand', brief_col: 'Demande', folder_col: 'Dossier', actions: 'Actions', open: 'Ouvrir',
    no_runs: 'Aucune tâche pour l’instant.', error: 'Erreur : {e}', loading: 'Chargement…', message: 'Message', warning: 'Avertissement',
    ev_run_started: 'Tâche lancée', ev_plan_proposed: 'Plan proposé ({n} étapes)', ev_plan_edited: 'Plan modifié',
    ev_plan_accepted: 'Plan accepté', ev_plan_rejected: 'Plan refusé', ev_step_started: 'Étape {n} commencée : {t}',
    ev_step_finished: 'Étape {n} : {s}', ev_approval_asked: 'Demande : {d}', ev_approval_given: 'Accordé ({by})',
    ev_approval_refused: 'Refusé : {r}', ev_question_asked: 'Question : {q}', ev_question_answered: 'Réponse : {a}',
    ev_tool_failed: '{t} a échoué : {e}', ev_run_finished: 'Tâche terminée : {s}',
    step_pending: 'à faire', step_running: 'en cours', step_done: 'faite', step_failed: 'échouée', step_skipped: 'sautée',
    items: '{d} / {t}', run_not_found: 'Cette tâche n’existe pas.',
    pause: 'Mettre en pause', unpause: 'Continuer', pausing: 'Mise en pause…', st_paused: 'En pause',
    paused_banner: 'La tâche attend avant sa prochaine étape ou action. Continuez quand vous voulez, ou arrêtez-la.',
    ev_run_paused: 'Tâche mise en pause', ev_run_resumed: 'La tâche continue',
    tpl_values: 'Valeurs pour ce modèle', tpl_filled: 'Demande qui sera envoyée :',
    tpl_save_open: 'Enregistrer cette demande comme modèle', tpl_name: 'Nom du modèle',
    tpl_hint: 'Écrivez {nom} ou {nom=valeur par défaut} dans la demande pour ce qui change d’une fois à l’autre, par ex. « Résume les factures de {mois=mars} ».',
    tpl_delete: 'Supprimer ce modèle', tpl_delete_confirm: 'Supprimer le modèle « {n} » ? Les tâches faites avec lui restent.',
    tpl_delete_yes: 'Oui, supprimer', tpl_deleted: 'Modèle « {n} » supprimé.',
    tpl_save: 'Enregistrer le modèle', tpl_saved: 'Modèle « {n} » enregistré.', tpl_replace: 'Remplacer « {n} »',
    resume_hint: 'Interrompue ? Reprenez-la ici, sauf si un autre commis la fait encore tourner.', no_steps: 'Aucune étape n’a été exécutée.', slide_images: 'Voir les diapositives en images', rendering: 'Rendu avec LibreOffice…', by_user: 'par vous', by_run: 'pour cette tâche', by_policy: 'par la politique', by_rule: 'par une règle enregistrée', 'by_output folder': 'dans le dossier des livrables', 'by_--allow': 'par --allow',
  },
};

let lang = 'en';
let config = null;
let view = null; // the state of the screen on display

function t(key, vars) {
  let s = (I18N[lang] && I18N[lang][key]) || I18N.en[key] || key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.split('{' + k + '}').join(String(v));
  return s;
}

// h('tag.class#id', {attrs}, ...children): builds an element; strings become text nodes.
function h(spec, attrs, ...children) {
  const m = spec.match(/^([a-z0-9]+)((?:[.#][\w-]+)*)$/i);
  const el = document.createElement(m ? m[1] : spec);
  if (m && m[2]) for (const part of m[2].match(/[.#][\w-]+/g)) {
    if (part[0] === '.') el.classList.add(part.slice(1)); else el.id = part.slice(1);
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

function announce(text) {
  const live = document.getElementById('live');
  live.textContent = '';
  setTimeout(() => { live.textContent = text; }, 30);
}

async function api(method, path, body) {
  const opts = { method, headers: { Accept: 'application/json' }, credentials: 'same-origin' };
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  const res = await fetch(path, opts);
  let data = null;
  try { data = await res.json(); } catch (_) { data = null; }
  if (!res.ok) {
    const err = new Error((data && data.error) || res.status + ' ' + res.statusText);
    err.status = res.status;
    throw err;
  }
  return data;
}

function errorBox(e) {
  return h('p.error', { role: 'alert' }, t('error', { e: e.message || String(e) }));
}

function fmtTime(ms) {
  try { return new Date(ms).toLocaleString(lang === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'short', timeStyle: 'short' }); }
  catch (_) { return new Date(ms).toISOString(); }
}

function fmtElapsed(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  const m = Math.floor(s / 60);
  return m > 0 ? `${m} min ${String(s % 60).padStart(2, '0')} s` : `${s} s`;
}

function statusBadge(status) {
  return h('span.badge.st-' + status, {}, t('st_' + status));
}

function kindName(k) { return t('k_' + k); }

function applyStaticI18n() {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-aria]')) el.setAttribute('aria-label', t(el.dataset.i18nAria));
  document.getElementById('lang-select').value = lang;
  if (config) document.getElementById('planner').textContent = t('planner', { p: config.planner + (config.model ? ' · ' + config.model : '') });
}

// ---------------------------------------------------------------- routing

function leaveView() {
  if (view && view.source) view.source.close();
  if (view && view.timer) clearInterval(view.timer);
  const dlg = document.getElementById('approval');
  if (dlg.open) dlg.close();
  view = null;
}

function route() {
  leaveView();
  const hash = location.hash || '#/';
  const main = document.getElementById('main');
  main.replaceChildren();
  document.getElementById('nav-new').removeAttribute('aria-current');
  document.getElementById('nav-history').removeAttribute('aria-current');
  let m;
  if ((m = hash.match(/^#\/run\/([\w-]+)$/))) showRun(m[1]);
  else if (hash === '#/history') { document.getElementById('nav-history').setAttribute('aria-current', 'page'); showHistory(); }
  else { document.getElementById('nav-new').setAttribute('aria-current', 'page'); showNew(); }
}

// ---------------------------------------------------------------- templates

// A template's brief in pieces: text, and {name} or {name=default} placeholders (the same
// syntax as `commis template save`; other text in braces stays as written).
function briefPieces(brief) {
  const out = [];
  let rest = brief;
  for (;;) {
    const open = rest.indexOf('{');
    if (open < 0) break;
    const after = rest.slice(open + 1);
    const close = after.indexOf('}');
    if (close < 0) break;
    const inner = after.slice(0, close);
    const eq = inner.indexOf('=');
    const name = (eq < 0 ? inner : inner.slice(0, eq)).trim();
    if (!/^[\p{L}\p{N}_-]+$/u.test(name)) { out.push(rest.slice(0, open + 1)); rest = after; continue; }
    out.push(rest.slice(0, open));
    out.push({ name, default: eq < 0 ? null : inner.slice(eq + 1) });
    rest = after.slice(close + 1);
  }
  out.push(rest);
  return out;
}

function placeholdersOf(brief) {
  const out = [];
  for (const p of briefPieces(brief)) {
    if (typeof p === 'string') continue;
    const seen = out.find((x) => x.name === p.name);
    if (!seen) out.push({ name: p.name, default: p.default });
    else if (seen.default === null) seen.default = p.default;
  }
  return out;
}

// The brief with its placeholders filled (a blank value takes the default); null if one is missing.
function fillBrief(brief, values) {
  const known = placeholdersOf(brief);
  let out = '';
  for (const p of briefPieces(brief)) {
    if (typeof p === 'string') { out += p; continue; }
    const given = (values[p.name] || '').trim();
    const d = known.find((x) => x.name === p.name).default;
    if (given) out += given; else if (d !== null) out += d; else return null;
  }
  return out;
}

// ---------------------------------------------------------------- start a task

function showNew() {
  const main = document.getElementById('main');
  const folders = (config && config.folders) || [];
  const templates = (config && config.templates) || [];
  const status = h('div', {});
  const folderSelect = h('select#folder-select', {},
    h('option', { value: '' }, t('folder_none')),
    folders.map((f) => h('option', { value: f }, f)));
  if (folders.length === 1) folderSelect.value = folders[0];
  const folderTyped = h('input#folder-typed', { type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: '/home/…' });
  const brief = h('textarea#brief', { rows: '4', required: true, 'aria-describedby': 'brief-hint' });
  const readOnly = h('input#read-only', { type: 'checkbox' });
  const tplSelect = h('select#template', {},
    h('option', { value: '' }, t('template_none')),
    templates.map((tp) => h('option', { value: tp.name }, tp.name)));
  // One input per placeholder of the template's brief, kept across edits of the brief.
  const values = {};
  const valuesBox = h('div#tpl-values-box');
  const drawValues = () => {
    const phs = tplSelect.value ? placeholdersOf(brief.value) : [];
    if (!phs.length) { valuesBox.replaceChildren(); return; }
    const filled = h('p.filled-brief#brief-filled', { 'aria-live': 'polite' });
    const showFilled = () => { filled.textContent = fillBrief(brief.value, values) ?? '…'; };
    valuesBox.replaceChildren(h('fieldset#tpl-values', {},
      h('legend', {}, t('tpl_values')),
      h('div.row', {}, phs.map((p, i) => {
        const input = h('input.ph-input', {
          id: 'ph-' + i, type: 'text', 'data-name': p.name, autocomplete: 'off', required: p.default === null,
        });
        input.value = values[p.name] !== undefined ? values[p.name] : (p.default || '');
        values[p.name] = input.value;
        input.addEventListener('input', () => { values[p.name] = input.value; showFilled(); });
        return h('div.field', {}, h('label', { for: 'ph-' + i }, p.name), input);
      })),
      h('div.field', {}, h('span.hint', {}, t('tpl_filled')), filled)));
    showFilled();
  };
  const fillTemplateOptions = (selected) => {
    tplSelect.replaceChildren(h('option', { value: '' }, t('template_none')),
      ...((config && config.templates) || []).map((tp) => h('option', { value: tp.name }, tp.name)));
    tplSelect.value = selected || '';
  };
  // Deleting the picked template, after a confirmation.
  const tplManage = h('div.tpl-manage#tpl-manage');
  const drawManage = () => {
    const name = tplSelect.value;
    if (!name) { tplManage.replaceChildren(); return; }
    tplManage.replaceChildren(h('button.small.danger#delete-template', {
      type: 'button', onclick: () => {
        const yes = h('button.small.danger#delete-template-confirm', {
          type: 'button', onclick: async () => {
            try {
              await api('DELETE', '/api/templates/' + encodeURIComponent(name));
              config = await api('GET', '/api/config');
              fillTemplateOptions('');
              drawValues(); drawManage();
              tplManage.append(h('p.ok', { role: 'status' }, t('tpl_deleted', { n: name })));
              announce(t('tpl_deleted', { n: name }));
              tplSelect.focus();
            } catch (e) { tplManage.append(errorBox(e)); }
          },
        }, t('tpl_delete_yes'));
        tplManage.replaceChildren(h('p', {}, t('tpl_delete_confirm', { n: name })),
          h('div.actions', {}, yes, h('button.small', { type: 'button', onclick: () => { drawManage(); tplSelect.focus(); } }, t('cancel'))));
        yes.focus();
      },
    }, t('tpl_delete')));
  };
  tplSelect.addEventListener('change', () => {
    const tp = ((config && config.templates) || []).find((x) => x.name === tplSelect.value);
    for (const k of Object.keys(values)) delete values[k];
    if (tp) { brief.value = tp.brief || ''; readOnly.checked = !!tp.read_only; }
    drawValues(); drawManage();
    const first = valuesBox.querySelector('input');
    (first || brief).focus();
  });
  brief.addEventListener('input', drawValues);

  // Keep the brief as a template (its {placeholders} become fields next time).
  const tplName = h('input#tpl-name', { type: 'text', autocomplete: 'off', maxlength: '80' });
  const tplStatus = h('div#tpl-status', { role: 'status' });
  const saveTemplate = async (replace) => {
    tplStatus.replaceChildren();
    const name = tplName.value.trim();
    try {
      await api('POST', '/api/templates', { name, brief: brief.value, read_only: readOnly.checked, replace });
      config = await api('GET', '/api/config');
      fillTemplateOptions(name);
      drawValues(); drawManage();
      tplStatus.replaceChildren(h('p.ok', {}, t('tpl_saved', { n: name })));
      announce(t('tpl_saved', { n: name }));
    } catch (e) {
      tplStatus.replaceChildren(errorBox(e));
      if (e.status === 409 && !replace) {
        const again = h('button.danger#tpl-replace', { type: 'button', onclick: () => saveTemplate(true) }, t('tpl_replace', { n: name }));
        tplStatus.append(again);
        again.focus();
      }
    }
  };
  // Enter in the name saves the template; it must not start a run.
  tplName.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { ev.preventDefault(); saveTemplate(false); } });
  const savePanel = h('details.save-tpl#save-template', {},
    h('summary', {}, t('tpl_save_open')),
    h('p.hint#tpl-hint', {}, t('tpl_hint')),
    h('div.row', {},
      h('div.field.grow', {}, h('label', { for: 'tpl-name' }, t('tpl_name')), tplName),
      h('div.field.end', {}, h('button#save-template-btn', { type: 'button', onclick: () => saveTemplate(false) }, t('tpl_save')))),
    tplStatus);
  const submit = h('button.primary#start', { type: 'submit' }, t('start'));
  const form = h('form.card.new', {
    onsubmit: async (ev) => {
      ev.preventDefault();
      status.replaceChildren();
      const folder = folderTyped.value.trim() || folderSelect.value;
      submit.disabled = true; submit.textContent = t('starting');
      // A template's placeholders are filled by the server from the fields.
      const body = { folder, brief: brief.value, read_only: readOnly.checked };
      if (tplSelect.value && placeholdersOf(brief.value).length) body.values = { ...values };
      try {
        const r = await api('POST', '/api/runs', body);
        location.hash = '#/run/' + r.run_id;
      } catch (e) {
        status.append(errorBox(e));
        submit.disabled = false; submit.textContent = t('start');
      }
    },
  },
  h('h1', {}, t('new_title')),
  h('fieldset', {},
    h('legend', {}, t('folder')),
    h('div.row', {},
      h('div.field', {}, h('label', { for: 'folder-select' }, t('folder_pick')), folderSelect),
      h('div.field.grow', {}, h('label', { for: 'folder-typed' }, t('folder_typed')), folderTyped))),
  h('div.field', {}, h('label', { for: 'template' }, t('template')), tplSelect, tplManage),
  h('div.field', {}, h('label', { for: 'brief' }, t('brief')), brief,
    h('p.hint#brief-hint', {}, t('brief_hint'))),
  valuesBox,
  h('div.field.check', {}, readOnly, h('label', { for: 'read-only' }, t('read_only'))),
  savePanel,
  h('div.actions', {}, submit, h('span.muted', {}, t('nothing_runs'))),
  status);
  main.append(form);
  (folders.length ? brief : folderTyped).focus();
}

// ---------------------------------------------------------------- history

async function showHistory() {
  const main = document.getElementById('main');
  const box = h('section.card', { 'aria-labelledby': 'history-title' }, h('h1#history-title', {}, t('history')), h('p', {}, t('loading')));
  main.append(box);
  try {
    const data = await api('GET', '/api/runs');
    box.lastChild.remove();
    if (!data.runs.length) { box.append(h('p', {}, t('no_runs'))); return; }
    const rows = data.runs.map((r) => {
      const msg = h('span', {});
      const undoBtn = h('button.small', {
        type: 'button', onclick: async () => {
          undoBtn.disabled = true;
          try {
            const rep = await api('POST', `/api/runs/${r.id}/undo`, { force: false });
            msg.replaceChildren(t('undone', { n: rep.entries_undone }));
            announce(t('undone', { n: rep.entries_undone }));
          } catch (e) { msg.replaceChildren(errorBox(e)); undoBtn.disabled = false; }
        },
      }, t('undo'));
      return h('tr', {},
        h('td', {}, fmtTime(r.created_at)),
        h('td.brief-cell', {}, h('a', { href: '#/run/' + r.id }, r.brief)),
        h('td.path', {}, (r.folders || []).join(', ')),
        h('td', {}, statusBadge(r.waiting ? 'needs_input' : (r.live && r.paused ? 'paused' : r.status))),
        h('td.row-actions', {}, h('a.button.small', { href: '#/run/' + r.id }, t('open')), r.live ? null : undoBtn, msg));
    });
    box.append(h('div.table-wrap', {}, h('table.history', {},
      h('thead', {}, h('tr', {}, ['when', 'brief_col', 'folder_col', 'status', 'actions'].map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, rows))));
  } catch (e) { box.append(errorBox(e)); }
}

// ---------------------------------------------------------------- a run

function newRunView(id) {
  return {
    id, detail: null, steps: new Map(), trace: [], tokens: { input: 0, output: 0 },
    startedAt: null, finishedAt: null, lastSeq: 0, source: null, timer: null, paused: false,
    editing: null, editingKey: null, approvalId: null, previewPath: null, els: {},
  };
}

function reduce(v, ev) {
  if (ev.seq) v.lastSeq = Math.max(v.lastSeq, ev.seq);
  if (v.startedAt === null) v.startedAt = ev.at;
  const add = (kind, text, extra) => v.trace.push(Object.assign({ at: ev.at, kind, text }, extra || {}));
  switch (ev.type) {
    case 'run_started': add('info', t('ev_run_started')); break;
    case 'plan_proposed': case 'plan_edited': case 'plan_accepted': {
      v.steps = new Map();
      for (const s of ev.plan.steps) v.steps.set(s.number, { title: s.title, status: s.status, progress: null, note: s.note || null });
      add('info', ev.type === 'plan_proposed' ? t('ev_plan_proposed', { n: ev.plan.steps.length }) : t('ev_' + ev.type));
      break;
    }
    case 'plan_rejected': add('info', t('ev_plan_rejected')); break;
    case 'step_started': {
      const s = v.steps.get(ev.step) || { title: ev.title };
      s.status = 'running'; s.title = ev.title; v.steps.set(ev.step, s);
      add('step', t('ev_step_started', { n: ev.step, t: ev.title }));
      break;
    }
    case 'step_finished': {
      const s = v.steps.get(ev.step) || { title: '' };
      s.status = ev.status; s.note = ev.note || null; v.steps.set(ev.step, s);
      add('step', t('ev_step_finished', { n: ev.step, s: t('step_' + ev.status) }) + (ev.note ? ' — ' + ev.note : ''));
      break;
    }
    case 'progress': {
      const s = v.steps.get(ev.step) || { title: '' };
      s.progress = { done: ev.done, total: ev.total, label: ev.label }; v.steps.set(ev.step, s);
      break;
    }
    case 'decision': add('decision', ev.subject, { decision: ev.decision, reason: ev.reason }); break;
    case 'approval_asked': add('ask', t('ev_approval_asked', { d: ev.description.split('\n')[0] })); break;
    case 'approval_given': add('ok', t('ev_approval_given', { by: I18N.en['by_' + ev.by] ? t('by_' + ev.by) : ev.by })); break;
    case 'approval_refused': add('warn', t('ev_approval_refused', { r: ev.reason })); break;
    case 'question_asked': add('ask', t('ev_question_asked', { q: ev.question })); break;
    case 'question_answered': add('ok', t('ev_question_answered', { a: ev.answer })); break;
    case 'message': add('info', ev.text); break;
    case 'warning': add('warn', (ev.path ? ev.path + ' — ' : '') + ev.message); break;
    case 'tool_failed': add('warn', t('ev_tool_failed', { t: ev.tool, e: ev.error })); break;
    case 'tokens': v.tokens.input += ev.input; v.tokens.output += ev.output; break;
    case 'run_paused': v.paused = true; add('warn', t('ev_run_paused')); break;
    case 'run_resumed': v.paused = false; add('info', t('ev_run_resumed')); break;
    case 'run_finished': v.paused = false; v.finishedAt = ev.at; v.finishMessage = (ev.summary && ev.summary.message) || null; add('info', t('ev_run_finished', { s: t('st_' + ev.status) }) + (ev.summary && ev.summary.message ? ' — ' + ev.summary.message : '')); break;
    default: break;
  }
}

function showRun(id) {
  const v = newRunView(id);
  view = v;
  const main = document.getElementById('main');
  v.els.head = h('section.card.run-head', { 'aria-labelledby': 'run-title' });
  v.els.waiting = h('div');
  v.els.plan = h('div');
  v.els.progress = h('section.card.progress', { 'aria-labelledby': 'progress-title' });
  v.els.trace = h('section.card.trace', { 'aria-labelledby': 'trace-title' });
  v.els.results = h('div');
  // Once a run is over its results come first; the plan and the trace stay below.
  main.append(v.els.head, v.els.waiting, v.els.results, v.els.plan,
    h('div.columns', {}, v.els.progress, v.els.trace));
  refreshDetail(v);
  const src = new EventSource(`/api/runs/${id}/events`);
  v.source = src;
  src.onmessage = (m) => {
    if (view !== v) return;
    let ev; try { ev = JSON.parse(m.data); } catch (_) { return; }
    reduce(v, ev);
    scheduleRender(v);
    if (ev.type === 'run_finished' || ev.type === 'plan_accepted') refreshDetail(v);
  };
  src.addEventListener('state', () => { if (view === v) refreshDetail(v); });
  v.timer = setInterval(() => { if (view === v) renderHead(v); }, 1000);
}

let renderPending = false;
function scheduleRender(v) {
  if (renderPending) return;
  renderPending = true;
  requestAnimationFrame(() => {
    renderPending = false;
    if (view !== v) return;
    renderHead(v); renderProgress(v); renderTrace(v);
  });
}

async function refreshDetail(v) {
  // Refreshes overlap when the run moves fast: only a newer answer may replace an older one.
  const mine = (v.detailAsked = (v.detailAsked || 0) + 1);
  try {
    const d = await api('GET', `/api/runs/${v.id}`);
    if (view !== v || mine < (v.detailShown || 0)) return;
    v.detailShown = mine;
    v.detail = d;
    if (!v.steps.size && d.plan) {
      for (const s of d.plan.steps) v.steps.set(s.number, { title: s.title, status: s.status, progress: null, note: s.note || null });
    }
    renderHead(v); renderWaiting(v); renderPlanEditor(v); renderProgress(v); renderTrace(v); renderResults(v);
  } catch (e) {
    if (view !== v) return;
    v.els.head.replaceChildren(e.status === 404 ? h('p.error', { role: 'alert' }, t('run_not_found')) : errorBox(e));
  }
}

function renderHead(v) {
  const d = v.detail;
  if (!d) return;
  const run = d.run;
  // Paused when the engine said so (events) and the pause still holds here: a run resumed
  // after a restart replays an old run_paused but is not paused any more.
  const paused = d.live && d.paused && v.paused;
  const status = d.waiting ? 'needs_input' : (paused ? 'paused' : run.status);
  const end = v.finishedAt || (d.live ? Date.now() : run.updated_at);
  const start = v.startedAt || run.created_at;
  const tokens = d.summary && d.summary.tokens && (d.summary.tokens.input + d.summary.tokens.output) > 0 ? d.summary.tokens : v.tokens;
  const cost = d.summary && d.summary.cost_usd != null ? '$' + d.summary.cost_usd.toFixed(4) : '—';
  const buttons = [];
  if (d.live) {
    const pauseCall = (which) => async (ev) => {
      ev.target.disabled = true;
      if (which === 'pause') ev.target.textContent = t('pausing');
      try {
        await api('POST', `/api/runs/${v.id}/${which}`);
        announce(which === 'pause' ? t('ev_run_paused') : t('ev_run_resumed'));
      } catch (e) { v.els.head.append(errorBox(e)); }
      await refreshDetail(v);
      const next = document.getElementById(which === 'pause' ? 'unpause' : 'pause');
      if (next && view === v) next.focus();
    };
    buttons.push(d.paused
      ? h('button.primary#unpause', { type: 'button', onclick: pauseCall('continue') }, t('unpause'))
      : h('button#pause', { type: 'button', onclick: pauseCall('pause') }, t('pause')));
    buttons.push(h('button.danger#stop', {
      type: 'button', onclick: async (ev) => {
        ev.target.disabled = true; ev.target.textContent = t('stopping');
        try { await api('POST', `/api/runs/${v.id}/stop`); } catch (e) { v.els.head.append(errorBox(e)); }
      },
    }, t('stop')));
  } else if (['needs_input', 'planning', 'running', 'stopped', 'interrupted'].includes(run.status)) {
    // Interrupted (a restart, a crash) or waiting for an answer nobody could give.
    if (run.status !== 'needs_input') buttons.push(h('span.hint', {}, t('resume_hint')));
    buttons.push(h('button#resume', {
      type: 'button', onclick: async (ev) => {
        ev.target.disabled = true;
        try { await api('POST', `/api/runs/${v.id}/resume`); refreshDetail(v); } catch (e) { v.els.head.append(errorBox(e)); }
      },
    }, t('resume')));
  }
  // Redrawn every second for the elapsed time: the focused button must keep the focus.
  const focusedId = v.els.head.contains(document.activeElement) ? document.activeElement.id : null;
  v.els.head.replaceChildren(
    h('div.head-row', {},
      h('div.head-main', {},
        h('h1#run-title', {}, run.brief),
        h('p.path', {}, run.grants.map((g) => g.path + (g.mode === 'read_only' ? ' (ro)' : '')).join(', '))),
      h('div.head-actions', {}, buttons)),
    h('dl.facts', {},
      h('div', {}, h('dt', {}, t('status')), h('dd#run-status', {}, statusBadge(status))),
      h('div', {}, h('dt', {}, t('elapsed')), h('dd', {}, fmtElapsed(end - start))),
      h('div', {}, h('dt', {}, t('tokens')), h('dd', {}, t('tokens_val', { i: tokens.input, o: tokens.output }))),
      h('div', {}, h('dt', {}, t('cost')), h('dd', {}, cost)),
      h('div', {}, h('dt', {}, t('run')), h('dd.mono', {}, run.id))),
    ...(paused ? [h('p.banner.paused#paused-banner', {}, h('strong', {}, t('st_paused')), ' — ', t('paused_banner'))] : []));
  if (focusedId) {
    const again = document.getElementById(focusedId);
    if (again) again.focus();
  }
}

function renderWaiting(v) {
  const w = v.detail && v.detail.waiting;
  const box = v.els.waiting;
  const dlg = document.getElementById('approval');
  if (!w || w.type !== 'approval') {
    if (dlg.open) dlg.close();
    v.approvalId = null;
  }
  const key = w ? JSON.stringify(w) : '';
  // Redrawing what is already shown would wipe an answer being typed.
  if (key === v.waitingKey && box.firstChild) return;
  v.waitingKey = key;
  if (!w) { box.replaceChildren(); return; }
  if (w.type === 'plan') {
    box.replaceChildren(h('div.banner#waiting', { role: 'status' }, h('strong', {}, t('waiting')), ' — ', t('waiting_plan')));
  } else if (w.type === 'question') {
    const input = h('input#answer-input', { type: 'text', required: true });
    const form = h('form.card.question#question', {
      onsubmit: async (ev) => {
        ev.preventDefault();
        try { await api('POST', `/api/runs/${v.id}/answer`, { answer: input.value }); } catch (e) { form.append(errorBox(e)); }
      },
    },
    h('div.banner', { role: 'status' }, h('strong', {}, t('waiting')), ' — ', t('waiting_question')),
    h('h2', {}, t('question')), h('p.question-text', {}, w.question),
    h('div.field', {}, h('label', { for: 'answer-input' }, t('your_answer')), input),
    h('div.actions', {}, h('button.primary', { type: 'submit' }, t('answer')),
      h('button', {
        type: 'button', onclick: async () => {
          try { await api('POST', `/api/runs/${v.id}/answer`, { answer: null }); } catch (e) { form.append(errorBox(e)); }
        },
      }, t('later'))));
    box.replaceChildren(form);
    input.focus();
  } else if (w.type === 'approval') {
    box.replaceChildren(h('div.banner#waiting', { role: 'status' }, h('strong', {}, t('waiting')), ' — ', t('waiting_approval')));
    showApproval(v, w.request);
  }
}

function showApproval(v, req) {
  const dlg = document.getElementById('approval');
  if (v.approvalId === req.id && dlg.open) return;
  v.approvalId = req.id;
  dlg.dataset.id = String(req.id);
  const answer = async (a) => {
    for (const b of dlg.querySelectorAll('button')) b.disabled = true;
    try {
      await api('POST', `/api/runs/${v.id}/approval`, { id: req.id, answer: a });
      dlg.close();
    } catch (e) {
      dlg.append(errorBox(e));
      for (const b of dlg.querySelectorAll('button')) b.disabled = false;
    }
  };
  const paths = req.paths || [];
  const first = h('button.primary#approve-once', { type: 'button', onclick: () => answer('once') }, t('appr_once'));
  dlg.replaceChildren(
    h('h2#approval-title', {}, t('appr_title')),
    h('div.appr-body', {},
      h('p.appr-kind', {}, h('span.kind.k-' + req.kind, {}, t('appr_kind', { k: kindName(req.kind) })), h('span.muted.mono', {}, req.folder)),
      h('p#approval-desc.appr-desc', { tabindex: '0' }, req.description),
      paths.length ? h('details', { open: !req.description.includes('\n') },
        h('summary', {}, t('appr_paths', { n: paths.length })),
        h('ul.paths', { tabindex: '0' }, paths.map((p) => h('li.mono', {}, p)))) : null),
    h('div.actions.wrap.appr-actions', {},
      first,
      h('button#approve-run', { type: 'button', onclick: () => answer('run') }, t('appr_run', { k: kindName(req.kind) })),
      h('button#approve-always', { type: 'button', onclick: () => answer('always') }, t('appr_always')),
      h('button#approve-no', { type: 'button', onclick: () => answer('no') }, t('appr_no')),
      h('button.danger#approve-stop', { type: 'button', onclick: () => answer('stop') }, t('appr_stop'))));
  // Escape must not silently dismiss a question the run is waiting on.
  dlg.oncancel = (e) => e.preventDefault();
  if (!dlg.open) dlg.showModal();
  first.focus();
}

// The plan editor: a working copy of the proposed plan, sent back as step edits.
function renderPlanEditor(v) {
  const d = v.detail;
  const w = d && d.waiting;
  if (!w || w.type !== 'plan') {
    v.editing = null; v.editingKey = null;
    v.els.plan.replaceChildren(d && d.plan ? planReadOnly(d.plan, d.plan_accepted, !d.live && ['done', 'failed', 'stopped', 'unsupported'].includes(d.run.status)) : '');
    return;
  }
  const key = JSON.stringify(w.plan);
  if (v.editingKey !== key) {
    v.editingKey = key;
    v.editing = w.plan.steps.map((s) => ({
      from: s.number, title: s.title, description: s.description || '', reads: s.reads || [], produces: s.produces || [],
      needsApproval: !!s.needs_approval, changes: (s.params && Array.isArray(s.params.changes)) ? s.params.changes : [], dropped: new Set(),
    }));
    v.planQuestions = w.plan.questions || [];
    v.planSummary = w.plan.summary || null;
  }
  drawPlanEditor(v);
}

function planReadOnly(plan, accepted, finished) {
  return h('section.card.plan-view', { 'aria-labelledby': 'plan-title' },
    h('details', { open: !finished },
      h('summary', {}, h('h2#plan-title.inline', {}, t('plan') + ` (${plan.steps.length})`)),
      h('ol.steps-ro', {}, plan.steps.map((s) => h('li', {},
        h('strong', {}, s.title), s.description ? h('span.muted', {}, ' — ' + s.description) : null)))));
}

// The destination folder of a change (`Clients/Dupont/x.pdf` → `Clients/Dupont/`), for grouping.
function destinationOf(c) {
  const to = String(c.to || '');
  const cut = to.lastIndexOf('/');
  return cut < 0 ? '' : to.slice(0, cut + 1);
}

// A step's changes grouped by destination folder, each group folded when the list is long;
// every line can be dropped, and a group's box drops or keeps all of its lines.
function changeList(s) {
  const total = s.changes.length;
  const groups = new Map();
  s.changes.forEach((c, k) => {
    const d = destinationOf(c);
    if (!groups.has(d)) groups.set(d, []);
    groups.get(d).push(k);
  });
  const summary = h('summary', {}, t('changes', { k: total - s.dropped.size, n: total }));
  const recount = () => {
    summary.textContent = t('changes', { k: total - s.dropped.size, n: total });
  };
  const head = () => h('thead', {}, h('tr', {}, [t('keep'), t('from'), t('to'), t('reason'), t('confidence')].map((x) => h('th', { scope: 'col' }, x))));
  const sections = [...groups.entries()].map(([dest, idx]) => {
    const groupBox = h('input.group-keep', { type: 'checkbox', 'aria-label': t('keep_group', { d: dest || t('top_folder') }) });
    const boxes = [];
    const counter = h('span.muted.group-count', {});
    const refresh = () => {
      const kept = idx.filter((k) => !s.dropped.has(k)).length;
      counter.textContent = ' ' + t('group_count', { k: kept, n: idx.length });
      groupBox.checked = kept === idx.length;
      groupBox.indeterminate = kept > 0 && kept < idx.length;
      recount();
    };
    const rows = idx.map((k) => {
      const c = s.changes[k];
      const box = h('input.line-keep', { type: 'checkbox', 'aria-label': t('keep_line', { f: c.from }) });
      box.checked = !s.dropped.has(k);
      const conf = typeof c.confidence === 'number' ? Math.round(c.confidence * 100) + ' %' : '';
      const row = h('tr' + (s.dropped.has(k) ? '.dropped' : ''), {},
        h('td', {}, box), h('td.mono', {}, c.from), h('td.mono', {}, c.to), h('td', {}, c.reason || ''),
        h('td' + (c.confidence < 0.6 ? '.low' : ''), {}, conf));
      box.addEventListener('change', () => {
        if (box.checked) s.dropped.delete(k); else s.dropped.add(k);
        row.classList.toggle('dropped', !box.checked);
        refresh();
      });
      boxes.push([box, row, k]);
      return row;
    });
    groupBox.addEventListener('change', () => {
      for (const [box, row, k] of boxes) {
        box.checked = groupBox.checked;
        if (groupBox.checked) s.dropped.delete(k); else s.dropped.add(k);
        row.classList.toggle('dropped', !groupBox.checked);
      }
      refresh();
    });
    refresh();
    // Short lists stay open; a long one shows its destinations, each opened on demand.
    return h('details.change-group', { open: total <= 12 || idx.length <= 3, 'data-dest': dest },
      h('summary', {}, groupBox, ' ', h('span.mono', {}, dest || t('top_folder')), counter),
      h('div.table-wrap.scroll', {}, h('table.change-table', {}, head(), h('tbody', {}, rows))));
  });
  return h('details.changes', { open: true }, summary, h('div.change-groups', {}, sections));
}

function drawPlanEditor(v) {
  const ed = v.editing;
  const offline = config && config.planner === 'offline';
  const list = h('ol.plan-edit#plan-steps', {});
  ed.forEach((s, i) => {
    const n = i + 1;
    const titleId = `step-title-${i}`, descId = `step-desc-${i}`;
    const title = h('input.step-title', { id: titleId, type: 'text', value: s.title });
    title.addEventListener('input', () => { s.title = title.value; });
    const desc = h('textarea.step-desc', { id: descId, rows: '2' });
    desc.value = s.description;
    desc.addEventListener('input', () => { s.description = desc.value; });
    const move = (delta) => {
      const j = i + delta;
      if (j < 0 || j >= ed.length) return;
      [ed[i], ed[j]] = [ed[j], ed[i]];
      drawPlanEditor(v);
      const target = document.querySelector(`#plan-steps > li:nth-child(${j + 1}) .${delta < 0 ? 'up' : 'down'}`);
      if (target && !target.disabled) target.focus();
      else { const tt = document.getElementById(`step-title-${j}`); if (tt) tt.focus(); }
    };
    let changes = null;
    if (s.changes.length) {
      changes = changeList(s);
    }
    list.append(h('li.step-card', {},
      h('div.step-top', {},
        h('span.step-num', { 'aria-hidden': 'true' }, String(n)),
        h('div.field.grow', {}, h('label', { for: titleId }, t('step_title', { n })), title),
        h('div.step-buttons', {},
          h('button.icon.up', { type: 'button', 'aria-label': t('up') + ' (' + t('step', { n }) + ')', title: t('up'), disabled: i === 0, onclick: () => move(-1) }, '↑'),
          h('button.icon.down', { type: 'button', 'aria-label': t('down') + ' (' + t('step', { n }) + ')', title: t('down'), disabled: i === ed.length - 1, onclick: () => move(1) }, '↓'),
          h('button.icon.remove', {
            type: 'button', 'aria-label': t('remove') + ' (' + t('step', { n }) + ')', title: t('remove'), disabled: ed.length === 1,
            onclick: () => { ed.splice(i, 1); drawPlanEditor(v); const f = document.querySelector('#plan-steps .step-title'); if (f) f.focus(); },
          }, '✕'))),
      h('div.field', {}, h('label', { for: descId }, t('step_desc', { n })), desc),
      (s.reads.length || s.produces.length || s.needsApproval) ? h('p.meta', {},
        s.reads.length ? h('span', {}, t('reads') + ': ' + s.reads.join(', ')) : null,
        s.produces.length ? h('span', {}, t('produces') + ': ' + s.produces.join(', ')) : null,
        s.needsApproval ? h('span.ask', {}, t('needs_approval')) : null) : null,
      changes,
      s.from === null && offline ? h('p.hint', {}, t('added_offline')) : null));
  });
  const status = h('div');
  const accept = h('button.primary#accept-plan', {
    type: 'button', onclick: async () => {
      accept.disabled = true;
      const steps = ed.map((s) => ({ from: s.from, title: s.title, description: s.description, drop_changes: [...s.dropped] }));
      try { await api('POST', `/api/runs/${v.id}/plan`, { decision: 'accept', steps }); announce(t('accepted')); }
      catch (e) { status.replaceChildren(errorBox(e)); accept.disabled = false; }
    },
  }, t('accept'));
  const reject = h('button#reject-plan', {
    type: 'button', onclick: async () => {
      try { await api('POST', `/api/runs/${v.id}/plan`, { decision: 'reject' }); announce(t('rejected')); }
      catch (e) { status.replaceChildren(errorBox(e)); }
    },
  }, t('reject'));
  const focused = document.activeElement && document.activeElement.id;
  v.els.plan.replaceChildren(h('section.card.plan#plan', { 'aria-labelledby': 'plan-title' },
    h('h2#plan-title', {}, t('plan_review')),
    v.planSummary ? h('div.plan-summary', {}, v.planSummary.split('\n').filter((l) => l.trim()).map((l) => h('p', {}, l))) : null,
    h('p.hint', {}, t('plan_help')),
    list,
    h('div.actions.sticky', {},
      h('button#add-step', {
        type: 'button', onclick: () => {
          ed.push({ from: null, title: t('new_step'), description: '', reads: [], produces: [], needsApproval: false, changes: [], dropped: new Set() });
          drawPlanEditor(v);
          const tt = document.getElementById(`step-title-${ed.length - 1}`); if (tt) { tt.focus(); tt.select(); }
        },
      }, '+ ' + t('add_step')),
      h('span.spacer'), reject, accept),
    status));
  if (focused && /^step-(title|desc)-/.test(focused)) { const el = document.getElementById(focused); if (el) el.focus(); }
}

function renderProgress(v) {
  const box = v.els.progress;
  const items = [...v.steps.entries()].sort((a, b) => a[0] - b[0]).map(([n, s]) => {
    const st = s.status || 'pending';
    let bar = null;
    if (s.progress && s.progress.total > 0) {
      const pct = Math.min(100, Math.round((100 * s.progress.done) / s.progress.total));
      bar = h('div.bar-row', {},
        h('progress', { max: String(s.progress.total), value: String(s.progress.done), 'aria-label': t('step', { n }) }),
        h('span.muted', {}, t('items', { d: s.progress.done, t: s.progress.total }) + (s.progress.label ? ' · ' + s.progress.label : '')));
      void pct;
    }
    return h('li.step-st.s-' + st, {},
      h('span.dot', { 'aria-hidden': 'true' }, { pending: '○', running: '◐', done: '●', failed: '✕', skipped: '–' }[st] || '○'),
      h('div', {},
        h('div', {}, h('strong', {}, `${n}. ${s.title}`), ' ', h('span.st-word', {}, t('step_' + st))),
        bar, s.note ? h('p.note', {}, s.note) : null));
  });
  box.replaceChildren(h('h2#progress-title', {}, t('progress')), items.length ? h('ol.step-list', {}, items) : h('p.muted', {}, v.finishedAt ? t('no_steps') : t('loading')));
}

function renderTrace(v) {
  const box = v.els.trace;
  const wasAtBottom = !box.lastChild || !box.lastChild.scrollHeight || (box.lastChild.scrollTop + box.lastChild.clientHeight >= box.lastChild.scrollHeight - 30);
  const list = h('ol.trace-list', { tabindex: '0', 'aria-label': t('trace') }, v.trace.slice(-800).map((e) => {
    if (e.kind === 'decision') {
      return h('li.tr-decision', {}, h('span.mono', {}, e.text), ' → ', h('strong', {}, e.decision), e.reason ? h('span.muted', {}, ' — ' + e.reason) : null);
    }
    return h('li.tr-' + e.kind, {}, e.text);
  }));
  box.replaceChildren(h('h2#trace-title', {}, t('trace')), list);
  if (wasAtBottom) list.scrollTop = list.scrollHeight;
}

function renderResults(v) {
  const d = v.detail;
  const box = v.els.results;
  if (!d || d.live || !['done', 'failed', 'stopped', 'needs_input', 'unsupported', 'interrupted'].includes(d.run.status)) { box.replaceChildren(); return; }
  const s = d.summary;
  const fileRow = (path, label) => h('li', {},
    h('span.mono', {}, label || path), ' ',
    d.undone ? null : h('button.small.preview-btn', { type: 'button', 'data-path': path, onclick: () => showPreview(v, path) }, t('preview')));
  const groups = [];
  if (s.created.length) groups.push(h('div.group', {}, h('h3', {}, `${t('created')} (${s.created.length})`), h('ul.files#created', {}, s.created.map((p) => fileRow(p)))));
  if (s.modified.length) groups.push(h('div.group', {}, h('h3', {}, `${t('modified')} (${s.modified.length})`), h('ul.files', {}, s.modified.map((p) => fileRow(p)))));
  if (s.moved.length) groups.push(h('div.group', {}, h('h3', {}, `${t('moved')} (${s.moved.length})`), h('ul.files.moved#moved', {}, s.moved.map(([a, b]) => fileRow(b, `${a} → ${b}`)))));
  if (s.deleted.length) groups.push(h('div.group', {}, h('h3', {}, `${t('deleted')} (${s.deleted.length})`), h('ul.files', {}, s.deleted.map((p) => h('li.mono', {}, p)))));
  const undoStatus = h('div#undo-status', { role: 'status' });
  const undoArea = h('div.undo-area', {});
  const drawUndo = () => {
    if (d.undone) { undoArea.replaceChildren(h('p.ok', {}, t('undone_already'))); return; }
    undoArea.replaceChildren(h('button.danger#undo', {
      type: 'button', onclick: () => {
        const doUndo = async (force) => {
          try {
            const rep = await api('POST', `/api/runs/${v.id}/undo`, { force });
            undoStatus.replaceChildren(h('p.ok', {}, t('undone', { n: rep.entries_undone })));
            announce(t('undone', { n: rep.entries_undone }));
            d.undone = true; drawUndo();
            refreshDetail(v);
          } catch (e) {
            undoStatus.replaceChildren(errorBox(e));
            if (e.status === 409 && !force) undoArea.append(h('button.danger#undo-force', { type: 'button', onclick: () => doUndo(true) }, t('undo_force')));
          }
        };
        const yes = h('button.danger#undo-confirm', { type: 'button', onclick: () => doUndo(false) }, t('undo_yes'));
        undoArea.replaceChildren(h('p', {}, t('undo_confirm')), h('div.actions', {}, yes,
          h('button', { type: 'button', onclick: drawUndo }, t('cancel'))));
        yes.focus();
      },
    }, t('undo')));
  };
  drawUndo();
  const previewBox = h('div#preview');
  v.els.preview = previewBox;
  box.replaceChildren(h('section.card.results#results', { 'aria-labelledby': 'results-title' },
    h('h2#results-title', {}, t('results')),
    (s.message || v.finishMessage) ? h('p.message#run-message', {}, s.message || v.finishMessage) : null,
    groups.length ? h('div.groups', {}, groups) : (d.undone ? null : h('p', {}, t('nothing_changed'))),
    groups.length || d.undone ? undoArea : null, undoStatus, previewBox));
  if (v.previewPath && !d.undone) showPreview(v, v.previewPath);
}

async function showPreview(v, path) {
  v.previewPath = path;
  const box = v.els.preview;
  box.replaceChildren(h('p', {}, t('loading')));
  try {
    const p = await api('GET', `/api/runs/${v.id}/preview?path=${encodeURIComponent(path)}`);
    if (view !== v) return;
    const close = h('button.small', { type: 'button', onclick: () => { v.previewPath = null; box.replaceChildren(); } }, t('close_preview'));
    const body = h('div.preview-body', {});
    const table = (rows) => h('div.table-wrap.scroll', {}, h('table.sheet', {}, h('tbody', {}, rows.map((r, i) => h('tr', {}, r.map((c) => h(i === 0 ? 'th' : 'td', i === 0 ? { scope: 'col' } : {}, c)))))));
    if (p.sheets) {
      const tabs = h('div.tabs', { role: 'tablist' });
      const panel = h('div.tab-panel', { role: 'tabpanel' });
      const pick = (i) => {
        for (const [j, b] of [...tabs.children].entries()) { b.setAttribute('aria-selected', String(i === j)); b.tabIndex = i === j ? 0 : -1; }
        const sh = p.sheets[i];
        panel.replaceChildren(table(sh.rows));
        if (sh.truncated) panel.append(h('p.muted', {}, t('truncated')));
      };
      p.sheets.forEach((sh, i) => tabs.append(h('button.tab', { type: 'button', role: 'tab', onclick: () => pick(i) }, sh.name || t('sheet') + ' ' + (i + 1))));
      // Arrow keys move between sheets, as in any tab list.
      tabs.addEventListener('keydown', (ev) => {
        const all = [...tabs.children];
        const i = all.indexOf(document.activeElement);
        if (i < 0 || (ev.key !== 'ArrowRight' && ev.key !== 'ArrowLeft')) return;
        const j = (i + (ev.key === 'ArrowRight' ? 1 : all.length - 1)) % all.length;
        pick(j); all[j].focus(); ev.preventDefault();
      });
      body.append(tabs, panel);
      if (p.sheets.length) pick(0);
    } else if (p.slides) {
      if (p.slide_images) {
        const imgs = h('div.slide-images', { 'aria-live': 'polite' });
        const btn = h('button.small#slide-images-btn', {
          type: 'button', onclick: async () => {
            btn.disabled = true; imgs.replaceChildren(h('p', {}, t('rendering')));
            try {
              const r = await api('GET', `/api/runs/${v.id}/slide-images?path=${encodeURIComponent(path)}`);
              imgs.replaceChildren(...r.images.map((src, i) => h('img.slide-img', { src, alt: t('slide', { n: i + 1 }) })));
            } catch (e) { imgs.replaceChildren(errorBox(e)); btn.disabled = false; }
          },
        }, t('slide_images'));
        body.append(h('div.actions', {}, btn), imgs);
      }
      body.append(h('ol.slides', {}, p.slides.map((s) => h('li.slide', {},
        h('h4', {}, t('slide', { n: s.number })),
        h('ul', {}, s.texts.map((x) => h('li', {}, x))),
        s.notes.length ? h('p.notes', {}, h('strong', {}, t('notes') + ' : '), s.notes.join(' ')) : null))));
    } else if (p.image) {
      body.append(h('p', {}, t('no_preview_image')));
    } else if (p.blocks) {
      const doc = h('article.doc', {});
      for (const b of p.blocks) {
        if (b.kind === 'title') doc.append(h('h3', {}, b.text));
        else if (b.kind === 'heading') doc.append(h('h' + Math.min(6, 3 + Math.max(0, (b.level || 1) - 1)), {}, b.text));
        else if (b.kind === 'item') doc.append(h('p.item', { style: null }, '• ' + b.text));
        else if (b.kind === 'table') doc.append(table(b.rows));
        else doc.append(h('p', {}, b.text));
      }
      body.append(doc);
      if (p.truncated) body.append(h('p.muted', {}, t('truncated')));
    }
    box.replaceChildren(h('section.preview', { 'aria-label': t('preview_of', { p: path }) },
      h('div.preview-head', {}, h('h3', {}, t('preview_of', { p: path })), close), body));
    box.scrollIntoView({ block: 'nearest' });
  } catch (e) { box.replaceChildren(errorBox(e)); }
}

// ---------------------------------------------------------------- start

async function boot() {
  const saved = localStorage.getItem('commis.lang');
  try { config = await api('GET', '/api/config'); } catch (e) {
    document.getElementById('main').replaceChildren(errorBox(e));
    return;
  }
  lang = saved === 'fr' || saved === 'en' ? saved : config.lang;
  applyStaticI18n();
  document.getElementById('lang-select').addEventListener('change', (ev) => {
    lang = ev.target.value;
    localStorage.setItem('commis.lang', lang);
    applyStaticI18n();
    route();
  });
  window.addEventListener('hashchange', route);
  route();
}

document.addEventListener('DOMContentLoaded', boot);

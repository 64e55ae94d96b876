import { jsonForScript } from './html.js';
import type { ExplorerData } from './explorer-data.js';

/**
 * The HTML report's item explorer: one table of every item (filters, search, sort, paging) and a
 * detail pane with the full prompt and each model's output side by side. The data sits in a JSON
 * script element and is parsed and drawn only when the section is first opened, one page of rows
 * at a time, so a report of tens of thousands of items opens at once. Every dataset and model
 * string reaches the page through textContent: none is ever parsed as HTML.
 */
export const EXPLORER_STYLE = `
#explorer .controls{display:flex;flex-wrap:wrap;gap:.4rem .9rem;align-items:center;margin:.5rem 0}
#explorer .controls input[type=search]{width:16rem}
#ex-table{width:100%;table-layout:fixed}
#ex-table td{white-space:nowrap;overflow:hidden;text-overflow:ellipsis;cursor:pointer}
#ex-table tr.selected td{background:#eef3ff}
#ex-table td.ok{color:#1b7f3b}#ex-table td.bad{color:#b3261e}#ex-table td.none{color:#6b7280;font-style:italic}
#ex-detail{border:1px solid #dde2ea;border-radius:6px;padding:.6rem .8rem;margin-top:.6rem}
#ex-detail .answers{display:grid;gap:.6rem}
#ex-detail .answer{border:1px solid #dde2ea;border-radius:6px;padding:.4rem .6rem;min-width:0}
#ex-detail .msg-role{font-weight:600;color:#6b7280;font-size:12px;margin-top:.3rem}
#ex-detail pre{max-height:18rem}
`;

export function explorerSection(data: ExplorerData): string {
  return `<details id="explorer"><summary>Item explorer <span class="muted">(${data.items.length} items × ${data.models.length} models: filter, search, open an item for its prompt and every answer)</span></summary>
<div class="controls">
<label>Task <select id="ex-task"><option value="">all</option></select></label>
<label>Model <select id="ex-model"><option value="">any model</option></select></label>
<label>Answer <select id="ex-status"><option value="">any</option><option value="correct">correct</option><option value="wrong">wrong</option><option value="missing">missing</option></select></label>
<label><input type="checkbox" id="ex-disagree"> disagreements only</label>
<label>Search <input type="search" id="ex-search" placeholder="item id, gold, output, question"></label>
<label>Sort <select id="ex-sort"><option value="">as run</option><option value="id">item id</option><option value="wrong">most models wrong first</option></select></label>
</div>
<p class="muted" id="ex-count"></p>
<table id="ex-table"><thead></thead><tbody></tbody></table>
<div class="controls"><button id="ex-prev" type="button">‹ previous</button><span id="ex-page"></span><button id="ex-next" type="button">next ›</button></div>
<div id="ex-detail" hidden></div>
</details>
<script type="application/json" id="explorer-data">${jsonForScript(data)}</script>
<script>${EXPLORER_SCRIPT}</script>`;
}

/** Plain ES5-style JS: runs as is in any browser that opens the report, no build step. */
const EXPLORER_SCRIPT = `
(function () {
  var section = document.getElementById('explorer');
  if (!section) return;
  var PAGE = 50;
  var data, rows, page = 0, selected = -1, searchText = null;
  function el(tag, text, cls) { var n = document.createElement(tag); if (text !== undefined && text !== null) n.textContent = text; if (cls) n.className = cls; return n; }
  function $(id) { return document.getElementById(id); }
  function answerOf(item, m) { return item[4][m]; }
  function isMissing(a) { return a === 0 || a[1] === null; }
  function verdict(a) { return a === 0 ? 'none' : a[2] === 1 ? 'ok' : a[2] === 0 ? 'bad' : a[1] === null ? 'bad' : ''; }
  function disagrees(item) {
    var seen = null, differ = false;
    item[4].forEach(function (a) {
      if (a === 0) return;
      var v = a[2] !== null ? String(a[2]) : String(a[1]);
      if (seen === null) seen = v; else if (seen !== v) differ = true;
    });
    return differ;
  }
  function wrongCount(item) { var n = 0; item[4].forEach(function (a) { if (a === 0 || a[2] === 0 || a[1] === null) n++; }); return n; }
  function promptText(item) {
    if (item[3] < 0) return '';
    return data.prompts[item[3]].map(function (i) { return data.messages[i][1]; }).join('\\n');
  }
  // Search text is built on the first search only: most readers never search.
  function haystack(index) {
    if (searchText === null) searchText = data.items.map(function (item) {
      var parts = [item[1], item[2]];
      item[4].forEach(function (a) { if (a !== 0) parts.push(a[0] || '', a[1] || ''); });
      var prompt = item[3] < 0 ? [] : data.prompts[item[3]];
      if (prompt.length) parts.push(data.messages[prompt[prompt.length - 1]][1]);
      return parts.join('\\n').toLowerCase();
    });
    return searchText[index];
  }
  function matches(item, index) {
    var task = $('ex-task').value, model = $('ex-model').value, status = $('ex-status').value, query = $('ex-search').value.trim().toLowerCase();
    if (task !== '' && data.tasks[item[0]] !== task) return false;
    if (status !== '') {
      var models = model === '' ? data.models.map(function (_, m) { return m; }) : [Number(model)];
      var hit = models.some(function (m) {
        var a = answerOf(item, m);
        if (status === 'missing') return isMissing(a);
        if (a === 0) return false;
        return status === 'correct' ? a[2] === 1 : a[2] === 0;
      });
      if (!hit) return false;
    } else if (model !== '' && answerOf(item, Number(model)) === 0) return false;
    if ($('ex-disagree').checked && !disagrees(item)) return false;
    if (query !== '' && haystack(index).indexOf(query) < 0) return false;
    return true;
  }
  function refilter() {
    rows = [];
    data.items.forEach(function (item, index) { if (matches(item, index)) rows.push(index); });
    var sort = $('ex-sort').value;
    if (sort === 'id') rows.sort(function (a, b) { var x = data.items[a][1], y = data.items[b][1]; return x < y ? -1 : x > y ? 1 : a - b; });
    if (sort === 'wrong') rows.sort(function (a, b) { return wrongCount(data.items[b]) - wrongCount(data.items[a]) || a - b; });
    page = 0;
    draw();
  }
  function draw() {
    var pages = Math.max(1, Math.ceil(rows.length / PAGE));
    if (page >= pages) page = pages - 1;
    var body = section.querySelector('#ex-table tbody');
    body.textContent = '';
    rows.slice(page * PAGE, page * PAGE + PAGE).forEach(function (index) {
      var item = data.items[index];
      var tr = el('tr');
      tr.setAttribute('data-index', String(index));
      if (index === selected) tr.className = 'selected';
      tr.appendChild(el('td', data.tasks[item[0]]));
      tr.appendChild(el('td', item[1]));
      tr.appendChild(el('td', item[2]));
      data.models.forEach(function (_, m) {
        var a = answerOf(item, m);
        var text = a === 0 ? 'not asked' : a[3] !== null ? 'error' : a[1] === null ? 'no answer' : a[1];
        var mark = a !== 0 && a[2] === 1 ? '✓ ' : a !== 0 && a[2] === 0 ? '✗ ' : '';
        var td = el('td', mark + text, a === 0 || a[1] === null ? 'none' : verdict(a));
        td.title = text;
        tr.appendChild(td);
      });
      tr.addEventListener('click', function () { showDetail(index); });
      body.appendChild(tr);
    });
    $('ex-count').textContent = rows.length === 0 ? 'No item matches.' : 'Items ' + (page * PAGE + 1) + '–' + Math.min(rows.length, page * PAGE + PAGE) + ' of ' + rows.length + ' (' + data.items.length + ' in all)';
    $('ex-page').textContent = 'page ' + (page + 1) + ' of ' + pages;
    $('ex-prev').disabled = page === 0;
    $('ex-next').disabled = page >= pages - 1;
  }
  function block(label, text) {
    var box = el('div');
    box.appendChild(el('div', label, 'msg-role'));
    box.appendChild(el('pre', text));
    return box;
  }
  function showDetail(index) {
    selected = index;
    var item = data.items[index];
    var pane = $('ex-detail');
    pane.textContent = '';
    pane.hidden = false;
    pane.appendChild(el('h3', data.tasks[item[0]] + ' · item ' + item[1]));
    var prompt = el('details');
    prompt.appendChild(el('summary', 'Prompt'));
    if (item[3] < 0) prompt.appendChild(el('p', 'Not recorded: this run predates the prompt store.', 'muted'));
    else data.prompts[item[3]].forEach(function (i) { prompt.appendChild(block(data.messages[i][0], data.messages[i][1])); });
    // The question itself (last message) is shown open; few-shot turns before it stay folded.
    prompt.open = item[3] >= 0 && data.prompts[item[3]].length <= 2;
    pane.appendChild(prompt);
    pane.appendChild(block('gold', item[2]));
    var grid = el('div', null, 'answers');
    grid.style.gridTemplateColumns = 'repeat(' + data.models.length + ', minmax(0, 1fr))';
    data.models.forEach(function (model, m) {
      var a = answerOf(item, m);
      var card = el('div', null, 'answer');
      card.setAttribute('data-model', model);
      card.appendChild(el('h4', model));
      if (a === 0) card.appendChild(el('p', 'not asked', 'muted'));
      else {
        if (a[3] !== null) card.appendChild(block('error', a[3]));
        card.appendChild(block('raw output', a[0] === null ? '(no output)' : a[0]));
        card.appendChild(block('prediction', a[1] === null ? '(no answer recognised)' : a[1]));
        card.appendChild(block('score', a[2] === 1 ? 'correct' : a[2] === 0 ? 'wrong' : a[1] === null ? 'missing' : '–'));
      }
      grid.appendChild(card);
    });
    pane.appendChild(grid);
    draw();
    // The pane sits under the table: bring it into view, as a reader who clicked expects.
    if (pane.scrollIntoView) pane.scrollIntoView({ block: 'nearest' });
  }
  function start() {
    if (data) return;
    data = JSON.parse($('explorer-data').textContent);
    data.tasks.forEach(function (t) { var o = el('option', t); o.value = t; $('ex-task').appendChild(o); });
    data.models.forEach(function (m, i) { var o = el('option', m); o.value = String(i); $('ex-model').appendChild(o); });
    var head = el('tr');
    ['task', 'item', 'gold'].concat(data.models).forEach(function (name) { head.appendChild(el('th', name)); });
    section.querySelector('#ex-table thead').appendChild(head);
    ['ex-task', 'ex-model', 'ex-status', 'ex-disagree', 'ex-sort'].forEach(function (id) { $(id).addEventListener('change', refilter); });
    var timer;
    $('ex-search').addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(refilter, 150); });
    $('ex-prev').addEventListener('click', function () { page--; draw(); });
    $('ex-next').addEventListener('click', function () { page++; draw(); });
    refilter();
  }
  section.addEventListener('toggle', function () { if (section.open) start(); });
  if (section.open) start();
})();
`;

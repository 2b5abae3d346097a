/**
 * The console's browser scripts: progressive additions to pages that work without them (served by assets.ts as
 * /ui/assets/*.js). Plain ES2017, no build step; kept small on purpose.
 */

/** The live tail: an EventSource on the page's own filtered stream; the browser resumes it with Last-Event-ID. */
export const LOG_TAIL_JS = String.raw`(function () {
  var list = document.getElementById('tail');
  if (!list || !window.EventSource) return;
  var status = document.getElementById('tail-status');
  var max = Number(list.getAttribute('data-max') || 500);
  var source = new EventSource(list.getAttribute('data-stream'));
  function text(kind, d) {
    var parts = [d.time.slice(11, 23), d.level.toUpperCase()];
    if (kind === 'activity') {
      parts.push('[activity]', d.kind + ' ' + d.action + ' → ' + d.outcome);
      if (d.account) parts.push('@' + d.account.username);
      if (d.task_id) parts.push('task #' + d.task_id);
      if (d.http_status) parts.push('HTTP ' + d.http_status);
      if (d.duration_ms !== null) parts.push(d.duration_ms + ' ms');
      if (d.error) parts.push(d.error);
    } else if (kind === 'gap') {
      return d.missed_log_lines + ' older lines are no longer in memory';
    } else {
      if (d.component) parts.push('[' + d.component + ']');
      if (d.task_id) parts.push('task #' + d.task_id);
      if (d.account) parts.push('@' + d.account);
      parts.push(d.msg);
      var rest = {};
      for (var k in d.fields) if (['time', 'level', 'msg', 'pid', 'hostname', 'component', 'taskId', 'account'].indexOf(k) < 0) rest[k] = d.fields[k];
      if (Object.keys(rest).length) parts.push(JSON.stringify(rest));
    }
    return parts.join(' ');
  }
  function add(kind, event) {
    var d = JSON.parse(event.data);
    var item = document.createElement('li');
    item.className = 'lvl-' + (d.level || 'info');
    item.setAttribute('data-kind', kind);
    item.textContent = text(kind, d);
    var atEnd = list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
    list.appendChild(item);
    while (list.children.length > max) list.removeChild(list.firstChild);
    if (atEnd) list.scrollTop = list.scrollHeight;
  }
  ['log', 'activity', 'gap'].forEach(function (kind) {
    source.addEventListener(kind, function (e) { add(kind, e); });
  });
  source.onopen = function () { if (status) status.textContent = 'live'; };
  source.onerror = function () { if (status) status.textContent = 'reconnecting…'; };
})();
`;

/**
 * Live regions: every element with data-live is re-read from the same URL every data-refresh ms and swapped in
 * (nothing else on the page moves, so a half-filled form keeps its text). Countdowns ([data-until]) tick each second.
 */
export const LIVE_JS = String.raw`(function () {
  var root = document.querySelector('[data-refresh]');
  // What the server sent, before the countdowns change it: a refresh swaps a region only when the server's differs.
  document.querySelectorAll('[data-live]').forEach(function (el) { el.setAttribute('data-served', el.innerHTML); });
  function tick() {
    var now = Date.now();
    document.querySelectorAll('[data-until]').forEach(function (el) {
      var left = Math.max(0, Math.round((Date.parse(el.getAttribute('data-until')) - now) / 1000));
      var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      el.textContent = left === 0 ? 'now' : (h ? h + 'h ' : '') + (h || m ? m + 'm ' : '') + s + 's';
    });
  }
  tick();
  setInterval(tick, 1000);
  if (!root || !window.fetch || !window.DOMParser) return;
  var every = Number(root.getAttribute('data-refresh')) || 2000;
  var busy = false;
  async function refresh() {
    if (busy || document.hidden) return;
    busy = true;
    try {
      var response = await fetch(location.href, { credentials: 'same-origin', headers: { 'x-igs-live': '1' } });
      if (!response.ok || response.redirected) return;
      var doc = new DOMParser().parseFromString(await response.text(), 'text/html');
      document.querySelectorAll('[data-live]').forEach(function (el) {
        var fresh = el.id && doc.getElementById(el.id);
        // Compared with what the server sent last time (countdowns change the live DOM), and never swapped while
        // the keyboard focus is inside, so a keyboard user does not lose their place.
        if (!fresh || fresh.innerHTML === el.getAttribute('data-served') || el.contains(document.activeElement)) return;
        el.innerHTML = fresh.innerHTML;
        el.setAttribute('data-served', fresh.innerHTML);
      });
      tick();
    } catch (e) {
      // the next round tries again
    } finally {
      busy = false;
    }
  }
  setInterval(refresh, every);
})();
`;

/**
 * A creator's charts with uPlot (served from its npm package): followers and ER over the snapshots, and likes,
 * comments and plays per post with pinned posts marked. The data is the page's own JSON (script#chart-data).
 */
export const CHARTS_JS = String.raw`(function () {
  var source = document.getElementById('chart-data');
  if (!source || !window.uPlot) return;
  var data = JSON.parse(source.textContent);
  function width(el) { return Math.max(280, Math.min(el.clientWidth || 640, 900)); }
  var growth = document.getElementById('chart-growth');
  if (growth && data.snapshots.t.length) {
    new uPlot({
      title: 'Followers and ER over time',
      width: width(growth), height: 260,
      scales: { x: { time: true }, er: { auto: true } },
      series: [
        {},
        { label: 'Followers', stroke: '#1f5fbf', width: 2, points: { show: true } },
        { label: 'ER %', stroke: '#b3261e', width: 2, scale: 'er', points: { show: true } },
      ],
      axes: [{}, { label: 'followers', size: 70 }, { side: 1, scale: 'er', label: 'ER %', grid: { show: false } }],
    }, [data.snapshots.t, data.snapshots.followers, data.snapshots.er], growth);
  }
  var posts = document.getElementById('chart-posts');
  if (posts && data.posts.x.length) {
    var bars = uPlot.paths.bars({ size: [0.25, 40] });
    new uPlot({
      title: 'Likes, comments and plays per post (★ pinned)',
      width: width(posts), height: 260,
      scales: { x: { time: false }, plays: { auto: true } },
      series: [
        { label: 'post' },
        { label: 'Likes', stroke: '#1f5fbf', fill: 'rgba(31,95,191,.35)', paths: bars, points: { show: false } },
        { label: 'Comments', stroke: '#2e7d32', fill: 'rgba(46,125,50,.35)', paths: bars, points: { show: false } },
        { label: 'Plays', stroke: '#6a1b9a', width: 0, scale: 'plays', points: { show: true, size: 8 }, paths: function () { return null; } },
        { label: '★ Pinned', stroke: '#e65100', width: 0, points: { show: true, size: 14, fill: '#e65100' }, paths: function () { return null; } },
      ],
      axes: [{ label: 'post (newest right)', values: function (u, ticks) { return ticks.map(function (i) { return data.posts.labels[i] || ''; }); } }, { label: 'likes, comments', size: 70 }, { side: 1, scale: 'plays', label: 'plays', size: 70, grid: { show: false } }],
    }, [data.posts.x, data.posts.likes, data.posts.comments, data.posts.plays, data.posts.pinned], posts);
  }
})();
`;

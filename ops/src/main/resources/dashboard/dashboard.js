// The Switchyard dashboard: fetches GET /admin/dashboard (the node's snapshot, docs/HTTP-API.md "Admin: dashboard")
// every refresh_interval_ms the snapshot gives, and renders it. Plain DOM, no library: every value is set as text,
// never as HTML. The admin key the user enters is kept in sessionStorage (this tab only) and sent as
// Authorization: Bearer <key>.
"use strict";

(() => {
  const SNAPSHOT = "/admin/dashboard";
  const KEY_ITEM = "switchyard.admin-key";
  /** Until a snapshot says otherwise (and again after a failure), how long to wait before the next fetch. */
  const FALLBACK_REFRESH_MS = 3000;

  let refreshMs = FALLBACK_REFRESH_MS;
  let timer = null;
  let snapshots = 0;

  // ------------------------------------------------------------------ small DOM helpers

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined) continue;
      if (k === "class") node.className = v;
      else if (k === "title") node.title = v;
      else node.setAttribute(k, v);
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      node.append(c instanceof Node ? c : String(c));
    }
    return node;
  }

  function cell(value, cls, attrs) {
    return el("td", Object.assign({ class: cls }, attrs || {}), value);
  }

  function fill(tbodyId, rows, columns, emptyText) {
    const body = document.getElementById(tbodyId);
    const empty = el("tr", {}, el("td", { class: "empty", colspan: columns }, emptyText));
    body.replaceChildren(...(rows.length ? rows : [empty]));
  }

  function pill(text, kind) {
    return el("span", { class: "pill" + (kind ? " " + kind : "") }, text);
  }

  function bar(share, over) {
    const pct = Math.max(0, Math.min(1, share || 0)) * 100;
    const span = el("span");
    span.style.width = pct.toFixed(1) + "%";
    return el("span", { class: "bar" + (over ? " over" : "") }, span);
  }

  /** Unknown values (null: the snapshot does not know) show as a dash. */
  const known = (n) => n !== null && n !== undefined;
  const fmt = {
    int: (n) => (known(n) ? Number(n).toLocaleString("en-US") : "–"),
    ms: (n) => (known(n) ? (n >= 1000 ? (n / 1000).toFixed(2) + " s" : n.toFixed(1) + " ms") : "–"),
    usd: (n) => (known(n) ? "$" + (n === 0 ? "0" : n < 0.01 ? n.toFixed(6) : n.toFixed(4)) : "–"),
    pct: (n) => (known(n) ? (n * 100).toFixed(1) + "%" : "–"),
    num: (n, d) => (known(n) ? n.toFixed(d === undefined ? 3 : d) : "–"),
    time: (iso) => (iso ? new Date(iso).toLocaleTimeString("en-GB") : "–"),
  };

  // ------------------------------------------------------------------ sections

  function memberKind(status) {
    return status === "Up" ? "ok" : status === "Down" || status === "Removed" ? "bad" : "warn";
  }

  function renderCluster(cluster) {
    const rows = cluster.members.map((m) => el("tr", { "data-member": m.address },
      cell(el("span", { class: "mono" }, m.address, m.self ? " (this node)" : ""), null),
      cell(pill(m.status, memberKind(m.status)), "status"),
      cell(m.roles.length ? m.roles.join(", ") : "–", "roles"),
      cell(m.reachable ? pill("yes", "ok") : pill("unreachable", "bad"), "reachable")));
    fill("members", rows, 4, "this node is not a member of a cluster yet");
    const up = cluster.members.filter((m) => m.status === "Up").length;
    document.getElementById("cluster-note").textContent =
      `${up} of ${cluster.members.length} members Up · leader ${cluster.leader || "none"}`;
  }

  function renderPools(pools) {
    const rows = pools.map((p) => el("tr", { "data-pool": p.model },
      cell(p.model, "model"),
      cell(fmt.int(p.queued), "num queued"),
      cell(fmt.int(p.in_flight), "num in-flight"),
      cell(p.capacity === null ? "unbounded" : fmt.int(p.capacity), "num"),
      cell(el("span", {}, bar(p.utilisation, p.utilisation >= 1), fmt.pct(p.utilisation)), null),
      cell(fmt.ms(p.ewma_latency_ms), "num"),
      cell(fmt.pct(p.error_rate), "num"),
      cell(pill(p.circuit, p.circuit === "open" ? "bad" : "ok"), "circuit")));
    fill("pools", rows, 8, "no pool has published its load yet");
  }

  function byStatus(statuses) {
    const keys = Object.keys(statuses);
    if (!keys.length) return "–";
    return el("span", {}, ...keys.map((s) => pill(`${s}: ${fmt.int(statuses[s])}`,
      s.startsWith("2") ? "ok" : s.startsWith("4") ? "warn" : "bad")));
  }

  function answeredBy(models) {
    const keys = Object.keys(models);
    if (!keys.length) return "–";
    return el("span", {}, ...keys.map((m) => pill(`${m}: ${fmt.int(models[m])}`)));
  }

  function quality(q) {
    const parts = [];
    if (q.recent_episodes === 0) return "no recent episode";
    parts.push(pill(`answered ${fmt.pct(q.answered_share)}`, q.answered_share < 1 ? "warn" : "ok"));
    if (q.mean_reference_score !== null) parts.push(pill(`correct ${fmt.pct(q.mean_reference_score)}`));
    if (q.mean_confidence !== null) parts.push(pill(`confidence ${fmt.num(q.mean_confidence, 2)}`));
    if (q.mean_reward !== null) parts.push(pill(`reward ${fmt.num(q.mean_reward, 2)}`));
    for (const [outcome, n] of Object.entries(q.reward_signals)) parts.push(pill(`signal ${outcome}: ${n}`));
    return el("span", { title: `over the ${q.recent_episodes} recent episodes of this node` }, ...parts);
  }

  function renderPipelines(pipelines) {
    const rows = pipelines.map((p) => el("tr", { "data-pipeline": p.name },
      cell(el("span", {}, el("strong", {}, p.name), p.learned ? " " : null, p.learned ? pill("learns") : null), "name"),
      cell(p.strategy, null),
      cell(fmt.int(p.requests.total), "num requests"),
      cell(byStatus(p.requests.by_status), null),
      cell(fmt.int(p.queries.total), "num queries"),
      cell(answeredBy(p.queries.answered_by), null),
      cell(fmt.int(p.queries.abstained), "num"),
      cell(fmt.ms(p.queries.mean_latency_ms), "num"),
      cell(fmt.usd(p.cost.total_usd), "num cost"),
      cell(fmt.usd(p.cost.per_query_usd), "num"),
      cell(quality(p.quality), "quality")));
    fill("pipelines", rows, 11, "no pipeline is served");
  }

  function renderLearners(learners) {
    const rows = learners.map((l) => {
      if (l.error) {
        return el("tr", { "data-learner": l.pipeline }, cell(l.pipeline, null),
          el("td", { colspan: 7, class: "empty" }, "could not be asked: " + l.error));
      }
      const policy = l.policy;
      const shadow = l.shadow;
      const score = shadow.score;
      const candidate = policy && policy.learner.candidate
        ? `v${policy.learner.candidate.version}` + (policy.node.candidate_version ? " (in shadow here)" : "")
        : "–";
      return el("tr", { "data-learner": l.pipeline },
        cell(el("span", {}, l.pipeline, l.learned ? null : " ", l.learned ? null : pill("fixed")), null),
        cell(policy ? "v" + policy.node.version : "–", "num acting-version"),
        cell(policy ? "v" + policy.learner.version : "–", "num"),
        cell(policy ? fmt.int(policy.learner.episodes) : "–", "num"),
        cell(candidate, null),
        cell(shadow.shadow ? el("span", { class: "mono", title: "installed " + shadow.shadow.installed_at },
          shadow.shadow.fingerprint.slice(0, 12)) : "none", "shadow"),
        cell(score ? `${fmt.pct(score.agreement)} of ${fmt.int(score.decisions)} decisions` : "–", null),
        cell(shadow.promoted ? `${shadow.promoted.fingerprint.slice(0, 12)} at ${fmt.time(shadow.promoted.promoted_at)}`
          : "–", null));
    });
    fill("learners", rows, 8, "no pipeline");
  }

  function spend(spent, budget) {
    if (!(budget > 0)) return fmt.usd(spent) + " (no budget)";
    return el("span", {}, bar(spent / budget, spent >= budget), `${fmt.usd(spent)} of ${fmt.usd(budget)}`);
  }

  function renderTenants(tenants) {
    const rows = tenants.map((t) => el("tr", { "data-tenant": t.tenant },
      cell(t.tenant, null),
      cell(spend(t.spent_today_usd, t.budget_per_day_usd), null),
      cell(spend(t.spent_month_usd, t.budget_per_month_usd), null),
      cell(t.requests_per_minute_limit > 0
        ? el("span", {}, bar(t.requests_last_minute / t.requests_per_minute_limit,
          t.requests_last_minute >= t.requests_per_minute_limit),
          `${fmt.int(t.requests_last_minute)} of ${fmt.int(t.requests_per_minute_limit)}`)
        : fmt.int(t.requests_last_minute), null)));
    fill("tenants", rows, 4, "no tenants configured");
  }

  function call(c) {
    return `${c.input_tokens}+${c.output_tokens} tokens · ${fmt.ms(c.latency_ms)} · ${fmt.usd(c.cost_usd)}`
      + (c.reference_score === null ? "" : ` · correct ${c.reference_score}`);
  }

  function renderEpisodes(episodes) {
    const box = document.getElementById("episodes");
    if (!episodes.length) {
      box.replaceChildren(el("p", { class: "empty" }, "no episode has finished on this node yet"));
      return;
    }
    // keep open the episodes the user opened
    const open = new Set([...box.querySelectorAll("details[open]")].map((d) => d.dataset.query));
    box.replaceChildren(...episodes.map((e) => {
      const steps = e.steps.map((s) => el("tr", {},
        cell(s.round, "num"),
        cell(s.stage, null),
        cell(s.model || "–", null),
        cell(s.decision || "–", "mono"),
        cell(s.signal === null ? "–" : fmt.num(s.signal), "num"),
        cell(s.call ? call(s.call) : "–", null)));
      const details = el("details", { class: "episode", "data-query": e.query_id },
        el("summary", {},
          el("span", { class: "id mono" }, e.query_id),
          el("span", {}, e.pipeline),
          e.answer_model ? pill("answered by " + e.answer_model, "ok") : pill("abstained", "warn"),
          el("span", {}, `${e.steps.length} steps`),
          el("span", {}, fmt.ms(e.latency_ms)),
          el("span", {}, fmt.usd(e.cost_usd)),
          e.policy_version ? el("span", {}, "policy v" + e.policy_version) : null,
          e.score === null ? null : el("span", {}, "reward " + fmt.num(e.score, 2)),
          el("span", { class: "note" }, fmt.time(e.finished_at))),
        el("table", {},
          el("thead", {}, el("tr", {}, el("th", { class: "num" }, "Round"), el("th", {}, "Stage"),
            el("th", {}, "Model"), el("th", {}, "Decision"), el("th", { class: "num" }, "Signal"),
            el("th", {}, "Call"))),
          el("tbody", {}, ...steps)));
      if (open.has(e.query_id)) details.open = true;
      return details;
    }));
  }

  function render(s) {
    renderCluster(s.cluster);
    renderPools(s.pools);
    renderPipelines(s.pipelines);
    renderLearners(s.learners);
    renderTenants(s.tenants);
    renderEpisodes(s.recent_episodes);
    const self = s.cluster.self;
    document.getElementById("generated").textContent = `snapshot of ${self} at ${fmt.time(s.generated_at)}`
      + (s.metrics_enabled ? ""
        : " · metrics disabled on this node (switchyard.metrics.enabled = off): traffic and cost read 0");
  }

  // ------------------------------------------------------------------ fetching

  function status(kind, text) {
    const node = document.getElementById("status");
    node.className = "status " + kind;
    node.textContent = text;
  }

  function problem(text) {
    const node = document.getElementById("problem");
    node.hidden = !text;
    node.textContent = text || "";
  }

  async function refresh() {
    const key = sessionStorage.getItem(KEY_ITEM);
    const headers = { Accept: "application/json" };
    if (key) headers.Authorization = "Bearer " + key;
    try {
      const response = await fetch(SNAPSHOT, { headers, cache: "no-store" });
      if (response.status === 401 || response.status === 403) {
        let detail = "";
        try { detail = (await response.json()).error.message; } catch (e) { /* not JSON: the status says it */ }
        status("refused", response.status === 401 ? "admin key needed" : "admin key refused");
        const what = response.status === 403 ? "This key may not use the admin API (403). Enter an admin key above."
          : key ? "The admin key was not accepted (401). Enter a valid admin key above."
            : "The admin API needs an admin key (401). Enter it above; it is kept for this tab only.";
        problem(what + (detail ? " Server: " + detail : ""));
        return;
      }
      if (!response.ok) {
        let detail = response.statusText;
        try { detail = (await response.json()).error.message; } catch (e) { /* keep the status text */ }
        status("failed", "error " + response.status);
        problem(`${SNAPSHOT} answered ${response.status}: ${detail}`);
        return;
      }
      const snapshot = await response.json();
      refreshMs = snapshot.refresh_interval_ms > 0 ? snapshot.refresh_interval_ms : FALLBACK_REFRESH_MS;
      render(snapshot);
      snapshots++;
      document.body.dataset.snapshots = String(snapshots);
      problem(null);
      status("live", "live · every " + (refreshMs / 1000) + " s");
    } catch (e) {
      status("stale", "unreachable");
      problem(`Could not reach ${SNAPSHOT} (${e.message}); showing the last snapshot. Retrying.`);
    } finally {
      clearTimeout(timer);
      timer = setTimeout(refresh, refreshMs);
    }
  }

  function setUpKeyForm() {
    const form = document.getElementById("key-form");
    const input = document.getElementById("admin-key");
    if (sessionStorage.getItem(KEY_ITEM)) input.placeholder = "set for this tab";
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const key = input.value.trim();
      if (key) {
        sessionStorage.setItem(KEY_ITEM, key);
        input.value = "";
        input.placeholder = "set for this tab";
      }
      refresh();
    });
    document.getElementById("forget-key").addEventListener("click", () => {
      sessionStorage.removeItem(KEY_ITEM);
      input.value = "";
      input.placeholder = "not set";
      refresh();
    });
  }

  setUpKeyForm();
  refresh();
})();

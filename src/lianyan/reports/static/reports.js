// Refresh the rows of report jobs still queued or running, until each is done or failed.
(function () {
  "use strict";
  var NAMES = { queued: "排队中", running: "生成中", done: "已完成", failed: "生成失败" };
  var BADGES = { queued: "warn", running: "warn", done: "ok", failed: "bad" };

  function pendingRows() {
    return Array.prototype.slice.call(
      document.querySelectorAll('tr[data-job-id][data-status="queued"], tr[data-job-id][data-status="running"]'));
  }

  function show(row, job) {
    row.dataset.status = job.status;
    var badge = document.createElement("span");
    badge.className = "badge " + BADGES[job.status];
    badge.textContent = job.status_name || NAMES[job.status];
    var status = row.querySelector(".job-status");
    status.replaceChildren(badge);
    var action = row.querySelector(".job-action");
    if (job.status === "done") {
      var link = document.createElement("a");
      link.href = job.download_url;
      link.setAttribute("download", "");
      link.textContent = job.file_name;
      action.replaceChildren(link);
    } else if (job.status === "failed") {
      var reason = document.createElement("span");
      reason.className = "report-reason";
      reason.dataset.testid = "reason";
      reason.textContent = job.reason;
      action.replaceChildren(reason);
    }
  }

  function poll() {
    var rows = pendingRows();
    if (!rows.length) return;
    Promise.all(rows.map(function (row) {
      return fetch("/api/v1/reports/" + row.dataset.jobId, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (job) { if (job) show(row, job); })
        .catch(function () { /* offline for a moment: try again next round */ });
    })).then(function () { window.setTimeout(poll, 2000); });
  }

  window.setTimeout(poll, 1000);
})();

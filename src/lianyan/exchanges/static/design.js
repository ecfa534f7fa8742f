// A video sent straight to the store (resumable.js) becomes a new version of the design:
// the input's data-versions names the JSON endpoint; a refusal is shown in #video-error.
(function () {
  "use strict";
  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|;\\s*)" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }
  document.addEventListener("lianyan:uploaded", function (event) {
    var input = event.target;
    var url = input.getAttribute && input.getAttribute("data-versions");
    if (!url) { return; }
    fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "x-csrftoken": cookie("csrftoken")},
      body: JSON.stringify({kind: "video", file_id: event.detail.fileId})
    }).then(function (response) {
      if (response.ok) { window.location.reload(); return; }
      return response.json().then(function (problem) {
        var box = document.getElementById("video-error");
        box.textContent = problem.detail || "视频已上传，但未能加入教学设计，请刷新后重试。";
        box.hidden = false;
      });
    });
  });
})();

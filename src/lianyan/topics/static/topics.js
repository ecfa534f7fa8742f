// Topic document upload with a progress bar: posts to the JSON API with the CSRF header.
(function () {
  "use strict";
  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }
  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var bar = form.querySelector("progress");
      var message = form.querySelector("[data-role=message]");
      var button = form.querySelector("button[type=submit]");
      var data = new FormData(form);
      data.delete("_csrf_token");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("data-upload"));
      xhr.setRequestHeader("x-csrftoken", cookie("csrftoken"));
      xhr.setRequestHeader("accept", "application/json");
      bar.hidden = false;
      bar.value = 0;
      button.disabled = true;
      message.textContent = "正在上传…";
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          bar.max = e.total;
          bar.value = e.loaded;
          message.textContent = "正在上传… " + Math.floor((e.loaded * 100) / e.total) + "%";
        }
      });
      xhr.addEventListener("load", function () {
        button.disabled = false;
        if (xhr.status >= 200 && xhr.status < 300) {
          message.textContent = "上传成功。";
          // Go to the topic page itself: reloading would repeat a form this page came from.
          window.location.assign(form.getAttribute("data-done") || window.location.pathname);
          return;
        }
        var detail = "上传失败，请重试。";
        try { detail = JSON.parse(xhr.responseText).detail || detail; } catch (ignored) { /* not JSON */ }
        message.textContent = detail;
        message.className = "alert";
      });
      xhr.addEventListener("error", function () {
        button.disabled = false;
        message.textContent = "网络中断，上传未完成，请检查网络后重试。";
        message.className = "alert";
      });
      xhr.send(data);
    });
  });
})();

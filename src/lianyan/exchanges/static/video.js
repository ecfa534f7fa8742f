// The classroom video on a design page: comments at a moment of the video.
// [data-seek="332"] buttons seek the video there (switching to their version's video first when
// it is another one, data-video = file id); [data-take-moment] fills the form's moment field
// with the paused position as 05:32; [data-moment-now] shows the position as it plays.
(function () {
  "use strict";
  function two(n) { return (n < 10 ? "0" : "") + n; }
  function moment(seconds) {
    var whole = Math.max(0, Math.floor(seconds || 0));
    var h = Math.floor(whole / 3600), m = Math.floor((whole % 3600) / 60), s = whole % 60;
    return h ? h + ":" + two(m) + ":" + two(s) : two(m) + ":" + two(s);
  }
  function player() { return document.getElementById("lesson-video"); }

  function seek(video, seconds) {
    var go = function () {
      video.currentTime = seconds;
      video.scrollIntoView({block: "center", behavior: "smooth"});
      var started = video.play();
      if (started && started.catch) { started.catch(function () {}); }
    };
    if (video.readyState >= 1) { go(); } else {
      video.addEventListener("loadedmetadata", go, {once: true});
      video.load();
    }
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target : null;
    if (!target) { return; }
    var button = target.closest("[data-seek]");
    var video = player();
    if (button && video) {
      var file = button.getAttribute("data-video");
      if (file && video.getAttribute("data-file") !== file) {
        video.setAttribute("data-file", file);
        video.removeAttribute("poster");
        video.src = "/api/v1/files/" + file + "/preview";
      }
      seek(video, Number(button.getAttribute("data-seek")));
      return;
    }
    var take = target.closest("[data-take-moment]");
    if (take && video) {
      var field = take.parentNode.querySelector("[data-moment-input]");
      if (field) {
        video.pause();
        field.value = moment(video.currentTime);
        field.focus();
      }
    }
  });

  var video = player();
  if (video) {
    var shown = document.querySelector("[data-moment-now]");
    video.addEventListener("timeupdate", function () {
      if (shown) { shown.textContent = moment(video.currentTime); }
    });
  }
})();

// The PNG export of each statistics chart: the chart's own SVG drawn into a canvas at twice
// its size, saved under the chart's Chinese title. Same origin, no inline script (CSP).
(function () {
  "use strict";

  function save(svg, name) {
    var box = svg.viewBox.baseVal;
    var scale = 2;
    var source = new XMLSerializer().serializeToString(svg);
    var image = new Image();
    image.onload = function () {
      var canvas = document.createElement("canvas");
      canvas.width = box.width * scale;
      canvas.height = box.height * scale;
      var context = canvas.getContext("2d");
      context.fillStyle = "#ffffff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      var link = document.createElement("a");
      link.href = canvas.toDataURL("image/png");
      link.download = name + ".png";
      document.body.appendChild(link);
      link.click();
      link.remove();
    };
    image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(source);
  }

  document.querySelectorAll("[data-png]").forEach(function (slot) {
    var figure = slot.closest("figure");
    var svg = figure && figure.querySelector("svg");
    if (!svg) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link";
    button.textContent = "PNG 图片";
    button.dataset.testid = "png-" + slot.dataset.png;
    button.addEventListener("click", function () {
      save(svg, figure.dataset.name || "统计图");
    });
    slot.replaceWith(button);
  });
})();

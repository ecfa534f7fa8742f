/*
 * 联研 upload control: one behaviour for every file form, with a progress bar.
 *
 * A <form data-upload-control> is sent by this script instead of the browser:
 *  - a file up to data-resumable-above bytes (default 20 MB), or one the form cannot take by
 *    the resumable path, goes with the form itself (XMLHttpRequest, so the bar moves), retried
 *    after a broken connection;
 *  - a larger file whose kind the form lists in data-resumable-kinds (the value of its "kind"
 *    field, e.g. "video") goes straight to the object store in parts (resumable.js: resumes
 *    after a broken connection or a reload), then the form is sent with file_id instead of the
 *    file, and the page handler attaches the uploaded file.
 * Either way the answer replaces the page as a normal submission would (the next page, or the
 * same form again with the message by the field). The person never chooses between two paths.
 *
 * Attributes: data-resumable-above, data-resumable-kinds ("video", or "*" with
 * data-resumable-kind="…" for a form of one kind), data-purpose (kept on the upload).
 * Our own code, no library; needs resumable.js loaded before it for the large-file path.
 */
(function () {
  'use strict';

  var DEFAULT_ABOVE = 20 * 1024 * 1024;
  var RETRIES = 5;

  function megabytes(bytes) { return (bytes / 1024 / 1024).toFixed(1) + ' MB'; }

  function parts(form) {
    var input = form.querySelector('input[type=file]');
    var box = form.querySelector('.upload-control');
    if (!box) {
      box = document.createElement('div');
      box.className = 'upload-control';
      box.setAttribute('data-testid', 'upload-progress');
      box.hidden = true;
      var bar = document.createElement('progress');
      bar.max = 100;
      bar.value = 0;
      var text = document.createElement('span');
      text.className = 'upload-status';
      text.setAttribute('role', 'status');
      box.appendChild(bar);
      box.appendChild(text);
      (input.closest('label') || input).insertAdjacentElement('afterend', box);
    }
    return {
      input: input, box: box, bar: box.querySelector('progress'),
      text: box.querySelector('.upload-status'),
      button: form.querySelector('button[type=submit], button:not([type])'),
    };
  }

  function resumableKind(form) {
    var kinds = (form.getAttribute('data-resumable-kinds') || '').split(',');
    if (kinds.indexOf('*') >= 0) return form.getAttribute('data-resumable-kind');
    var field = form.querySelector('[name=kind]');
    var kind = field ? field.value : '';
    return kind && kinds.indexOf(kind) >= 0 ? kind : null;
  }

  function showAnswer(xhr, action) {
    // A followed redirect lands on another URL: go there. Anything else is the page itself
    // (the form again with its message): show it as the browser would have.
    var landed = xhr.responseURL || '';
    var posted = new URL(action, window.location.href).href;
    if (xhr.status >= 200 && xhr.status < 300 && landed && landed !== posted) {
      window.location.assign(landed);
      return;
    }
    document.open();
    document.write(xhr.responseText);
    document.close();
  }

  function send(form, data, ui, onDone) {
    var attempt = 0;
    var action = form.getAttribute('action') || window.location.href;
    function go() {
      var xhr = new XMLHttpRequest();
      xhr.open('POST', action);
      xhr.upload.onprogress = function (event) {
        if (!event.lengthComputable) return;
        var percent = Math.floor(event.loaded / event.total * 100);
        ui.bar.value = percent;
        ui.text.textContent = '已上传 ' + percent + '%（' + megabytes(event.loaded) + ' / ' +
          megabytes(event.total) + '）';
      };
      xhr.upload.onload = function () {
        ui.bar.value = 100;
        ui.text.textContent = '正在校验文件，请稍候…';
      };
      xhr.onload = function () { onDone(); showAnswer(xhr, action); };
      xhr.onerror = function () {
        attempt += 1;
        if (attempt > RETRIES) {
          onDone();
          ui.text.textContent = '网络中断，上传没有完成。请检查网络后重新点击上传。';
          return;
        }
        var wait = Math.min(30, Math.pow(2, attempt));
        ui.text.textContent = '网络中断，' + wait + ' 秒后自动重试…';
        var timer = setTimeout(go, wait * 1000);
        window.addEventListener('online', function again() {
          window.removeEventListener('online', again);
          clearTimeout(timer);
          go();
        });
      };
      xhr.send(data);
    }
    go();
  }

  function leaving(event) {
    event.preventDefault();
    event.returnValue = '';
  }

  function onSubmit(event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute('data-upload-control')) return;
    var ui = parts(form);
    var file = ui.input && ui.input.files && ui.input.files[0];
    if (!file || form._uploading) return; // the browser's own "required" message, or busy
    event.preventDefault();
    form._uploading = true;
    ui.box.hidden = false;
    ui.bar.value = 0;
    ui.text.textContent = '准备上传…';
    if (ui.button) ui.button.disabled = true;
    window.addEventListener('beforeunload', leaving);
    function done() {
      form._uploading = false;
      if (ui.button) ui.button.disabled = false;
      window.removeEventListener('beforeunload', leaving);
    }
    var above = Number(form.getAttribute('data-resumable-above')) || DEFAULT_ABOVE;
    var kind = resumableKind(form);
    if (file.size > above && kind && window.LianyanUpload) {
      window.LianyanUpload.upload(file, {
        kind: kind,
        purpose: form.getAttribute('data-purpose') || '',
        onProgress: function (p) { ui.bar.value = p.percent; ui.text.textContent = p.text; },
        onStatus: function (text) { ui.text.textContent = text; },
      }).then(function (detail) {
        var data = new FormData(form);
        data.delete(ui.input.name);
        data.set('file_id', String(detail.fileId));
        send(form, data, ui, done);
      }, function (error) {
        done();
        ui.text.textContent = error.detail || '上传失败，请重试。';
        ui.input.value = '';
      });
      return;
    }
    send(form, new FormData(form), ui, done);
  }

  document.addEventListener('submit', onSubmit);
})();

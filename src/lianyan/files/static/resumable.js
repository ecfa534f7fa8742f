/*
 * 联研 resumable upload: large files go from the browser straight to the object store.
 *
 * The app hands out presigned part URLs (POST /api/v1/uploads); this script PUTs the parts in
 * ascending order, one or two at a time, retrying with exponential back-off; after a network
 * error or a page reload it asks the app which parts the store already holds
 * (GET /api/v1/uploads/{id}) and sends only the rest; then it asks the app to verify and
 * record the file (POST /api/v1/uploads/{id}/complete). The upload id is remembered in
 * localStorage under the file's name, size and modification time, so choosing the same file
 * again after a reload continues where it stopped.
 *
 * Usage (docs/uploads.md, "Resumable uploads"):
 *   <input type="file" data-lianyan-upload="video" data-purpose="design_version">
 *   <script src="/static/files/resumable.js" defer></script>
 *   input.addEventListener('lianyan:uploaded', (e) => e.detail.fileId)
 * or LianyanUpload.attach(input, {kind: 'video', onUploaded(detail) {…}}).
 *
 * Our own code, no library; ES2017 so that the browsers of older phones run it.
 */
(function () {
  'use strict';

  var API = '/api/v1/uploads';
  var STORAGE_PREFIX = 'lianyan.upload:';
  var MAX_BACKOFF_MS = 60 * 1000;
  var SPEED_WINDOW_MS = 30 * 1000;

  function UploadError(status, code, detail) {
    this.name = 'UploadError';
    this.status = status;
    this.code = code || 'upload.network';
    this.detail = detail || '网络连接中断。';
    this.message = this.code + ': ' + this.detail;
  }
  UploadError.prototype = Object.create(Error.prototype);

  function isRetryable(error) {
    // 0: no answer at all (offline, connection reset); 5xx, 408, 429: the far end is busy.
    var s = error.status;
    return s === 0 || s === 408 || s === 429 || s >= 500;
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]*)/);
    return match ? decodeURIComponent(match[1]) : '';
  }

  function sleep(ms, uploader) {
    // Wakes early when the browser says it is back online, or when the upload is cancelled.
    return new Promise(function (resolve) {
      var timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        window.removeEventListener('online', done);
        if (uploader) uploader._wake = null;
        resolve();
      }
      window.addEventListener('online', done);
      if (uploader) uploader._wake = done;
    });
  }

  function backoff(attempt) {
    var ms = Math.min(MAX_BACKOFF_MS, 1000 * Math.pow(2, attempt - 1));
    return ms / 2 + Math.random() * ms / 2;
  }

  async function callApi(method, path, body) {
    var headers = { Accept: 'application/json' };
    if (method !== 'GET') headers['x-csrftoken'] = csrfToken();
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    var response;
    try {
      response = await fetch(path, {
        method: method,
        headers: headers,
        credentials: 'same-origin',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new UploadError(0);
    }
    var data = null;
    if (response.status !== 204) {
      try { data = await response.json(); } catch (e) { data = null; }
    }
    if (!response.ok) {
      throw new UploadError(
        response.status,
        data && data.code ? data.code : 'upload.http_' + response.status,
        data && data.detail ? data.detail : '服务器暂时无法处理，请稍后再试。'
      );
    }
    return data;
  }

  function storageKey(file, kind) {
    return STORAGE_PREFIX + kind + ':' + file.name + ':' + file.size + ':' + file.lastModified;
  }

  function remember(key, value) {
    try {
      if (value === null) localStorage.removeItem(key);
      else localStorage.setItem(key, value);
    } catch (e) { /* private mode or full: resuming after a reload just starts again */ }
  }

  function recall(key) {
    try { return localStorage.getItem(key); } catch (e) { return null; }
  }

  function pending(kind) {
    /* Unfinished uploads this browser remembers: [{id, kind, name, size}]. */
    var found = [];
    try {
      for (var i = 0; i < localStorage.length; i++) {
        var key = localStorage.key(i);
        if (!key || key.indexOf(STORAGE_PREFIX) !== 0) continue;
        var rest = key.slice(STORAGE_PREFIX.length).split(':');
        if (rest.length < 4 || (kind && rest[0] !== kind)) continue;
        found.push({
          id: Number(localStorage.getItem(key)),
          kind: rest[0],
          name: rest.slice(1, -2).join(':'),
          size: Number(rest[rest.length - 2]),
        });
      }
    } catch (e) { /* no storage */ }
    return found;
  }

  function minutesText(seconds) {
    if (seconds < 60) return '不到 1 分钟';
    var minutes = Math.round(seconds / 60);
    if (minutes < 60) return minutes + ' 分钟';
    var hours = Math.floor(minutes / 60);
    var rest = minutes % 60;
    return hours + ' 小时' + (rest ? ' ' + rest + ' 分钟' : '');
  }

  function s3Code(xhr) {
    var match = /<Code>\s*([^<\s]+)\s*<\/Code>/.exec(xhr.responseText || '');
    return match ? 's3.' + match[1] : 'upload.http_' + xhr.status;
  }

  /*
   * One file on its way to the store. Options: kind (required), purpose, concurrency (1 or 2),
   * onProgress({loaded, total, percent, remainingSeconds, text}), onStatus(text).
   * start() resolves to {fileId, file_id, sha256, size, uploadId, name} or rejects with an
   * UploadError whose code and detail are the app's (e.g. upload.type_not_allowed).
   */
  function Uploader(file, options) {
    this.file = file;
    this.options = options || {};
    this.kind = this.options.kind;
    this.concurrency = Math.max(1, Math.min(2, this.options.concurrency || 2));
    this.key = storageKey(file, this.kind);
    this.upload = null;
    this.urls = {};
    this.stored = {};
    this.storedBytes = 0;
    this.inflight = {};
    this.xhrs = [];
    this.samples = [];
    this.cancelled = false;
    this.refreshAt = 0;
    this._refreshing = null;
    this._wake = null;
  }

  Uploader.prototype.start = async function () {
    if (!this.kind) throw new Error('LianyanUpload: options.kind is required');
    this._status('正在准备上传…');
    var upload = await this._resumeOrCreate();
    if (upload.status === 'completed' && upload.file_id) {
      return this._finished({ file_id: upload.file_id, sha256: null, size: upload.size });
    }
    for (var round = 0; ; round++) {
      await this._sendMissing();
      try {
        return this._finished(await this._complete());
      } catch (error) {
        // Parts the store does not hold after all (expired, or a lost race): send them again.
        if (error.code !== 'upload.incomplete' || round >= 3) throw this._failed(error);
        await this._refresh(true);
      }
    }
  };

  Uploader.prototype.cancel = async function () {
    this.cancelled = true;
    this.xhrs.forEach(function (xhr) { xhr.abort(); });
    if (this._wake) this._wake();
    remember(this.key, null);
    if (this.upload && this.upload.status === 'open') {
      try { await callApi('DELETE', API + '/' + this.upload.id); } catch (e) { /* swept later */ }
    }
    this._status('已取消上传。');
  };

  Uploader.prototype._resumeOrCreate = async function () {
    var known = recall(this.key);
    if (known) {
      try {
        var upload = await this._retrying(function () { return callApi('GET', API + '/' + known); });
        if (upload.status === 'open' || upload.status === 'completing' ||
            upload.status === 'completed') {
          this._apply(upload);
          this._status('继续上次未完成的上传…');
          return upload;
        }
      } catch (error) {
        if (error.status !== 404) throw this._failed(error);
      }
      remember(this.key, null);
    }
    var self = this;
    var created;
    try {
      created = await this._retrying(function () {
        return callApi('POST', API, {
          kind: self.kind,
          filename: self.file.name,
          size: self.file.size,
          purpose: self.options.purpose || '',
        });
      });
    } catch (error) {
      throw this._failed(error);
    }
    remember(this.key, String(created.id));
    this._apply(created);
    return created;
  };

  Uploader.prototype._apply = function (upload) {
    this.upload = upload;
    this.urls = {};
    for (var i = 0; i < upload.parts.length; i++) this.urls[upload.parts[i].number] = upload.parts[i].url;
    this.stored = {};
    this.storedBytes = 0;
    for (var j = 0; j < upload.stored.length; j++) {
      this.stored[upload.stored[j].number] = true;
      this.storedBytes += upload.stored[j].size;
    }
    // Refresh the URLs well before they expire: a part PUT must start while its URL works.
    this.refreshAt = Date.now() + Math.max(60, (upload.expires_in || 3600) * 0.75) * 1000;
    this._progress();
  };

  Uploader.prototype._refresh = function (force) {
    if (!force && Date.now() < this.refreshAt) return Promise.resolve();
    if (!this._refreshing) {
      var self = this;
      this._refreshing = this._retrying(function () {
        return callApi('GET', API + '/' + self.upload.id);
      }).then(function (upload) {
        self._refreshing = null;
        if (upload.status === 'aborted' || upload.status === 'failed') {
          remember(self.key, null);
          throw new UploadError(409, 'upload.aborted', '该上传已取消或已过期，请重新选择文件上传。');
        }
        self._apply(upload);
      }, function (error) {
        self._refreshing = null;
        throw error;
      });
    }
    return this._refreshing;
  };

  Uploader.prototype._partRange = function (number) {
    var start = (number - 1) * this.upload.part_size;
    return [start, Math.min(this.file.size, start + this.upload.part_size)];
  };

  Uploader.prototype._sendMissing = async function () {
    if (this.upload.status !== 'open') return;
    var queue = [];
    for (var n = 1; n <= this.upload.part_count; n++) if (!this.stored[n]) queue.push(n);
    var self = this;
    var failure = null;
    async function worker() {
      // Parts leave in ascending order: rclone streams them into the object in that order.
      while (queue.length && !failure) {
        var number = queue.shift();
        try {
          await self._sendPart(number);
        } catch (error) {
          failure = failure || error;
        }
      }
    }
    var workers = [];
    for (var w = 0; w < this.concurrency; w++) workers.push(worker());
    await Promise.all(workers);
    if (failure) throw this._failed(failure);
  };

  Uploader.prototype._sendPart = async function (number) {
    for (var attempt = 1; ; attempt++) {
      if (this.cancelled) throw new UploadError(0, 'upload.cancelled', '已取消上传。');
      await this._refresh(false);
      // Stored already, or finished elsewhere (another tab): completion sorts it out.
      if (this.stored[number] || this.upload.status !== 'open') return;
      try {
        await this._put(number);
        this.stored[number] = true;
        var range = this._partRange(number);
        this.storedBytes += range[1] - range[0];
        this._progress();
        return;
      } catch (error) {
        if (this.cancelled) throw error;
        if (error.status === 403 || error.status === 404) {
          // An expired URL (403) or an upload the store no longer knows (404): ask the app.
          if (attempt > 3) throw error;
          await this._refresh(true);
          continue;
        }
        if (!isRetryable(error)) throw error;
        var wait = backoff(attempt);
        this._status('网络中断，' + Math.ceil(wait / 1000) + ' 秒后自动重试…');
        await sleep(wait, this);
        if (attempt >= 3) {
          // The part may have arrived although its answer did not: ask which parts exist.
          try { await this._refresh(true); } catch (e) { if (!isRetryable(e)) throw e; }
        }
      }
    }
  };

  Uploader.prototype._put = function (number) {
    var self = this;
    var range = this._partRange(number);
    var url = this.urls[number];
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      self.xhrs.push(xhr);
      function settle() {
        self.xhrs = self.xhrs.filter(function (x) { return x !== xhr; });
        delete self.inflight[number];
      }
      xhr.open('PUT', url);
      xhr.upload.onprogress = function (event) {
        self.inflight[number] = event.loaded;
        self._progress();
      };
      xhr.onload = function () {
        settle();
        if (xhr.status >= 200 && xhr.status < 300) resolve();
        else reject(new UploadError(xhr.status, s3Code(xhr), '上传分片失败（' + xhr.status + '）。'));
      };
      xhr.onerror = xhr.ontimeout = function () { settle(); reject(new UploadError(0)); };
      xhr.onabort = function () { settle(); reject(new UploadError(0, 'upload.cancelled', '已取消上传。')); };
      xhr.send(self.file.slice(range[0], range[1]));
    });
  };

  Uploader.prototype._complete = async function () {
    var self = this;
    this._status('正在校验文件，请稍候…');
    for (var attempt = 1; ; attempt++) {
      try {
        return await this._retrying(function () {
          return callApi('POST', API + '/' + self.upload.id + '/complete');
        });
      } catch (error) {
        if (error.code !== 'upload.completing' || attempt > 120) throw error;
        // Another tab (or an earlier try whose answer was lost) is verifying: wait for it.
        await sleep(5000, this);
        var upload = await this._retrying(function () { return callApi('GET', API + '/' + self.upload.id); });
        if (upload.status === 'completed' && upload.file_id) {
          return { file_id: upload.file_id, sha256: null, size: upload.size };
        }
      }
    }
  };

  Uploader.prototype._retrying = async function (call) {
    for (var attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (!isRetryable(error) || this.cancelled) throw error;
        var wait = backoff(attempt);
        this._status('网络中断，' + Math.ceil(wait / 1000) + ' 秒后自动重试…');
        await sleep(wait, this);
      }
    }
  };

  Uploader.prototype._finished = function (result) {
    remember(this.key, null);
    this.storedBytes = this.file.size;
    this.inflight = {};
    this._progress();
    this._status('上传完成。');
    return {
      fileId: result.file_id,
      file_id: result.file_id,
      sha256: result.sha256,
      size: result.size,
      uploadId: this.upload ? this.upload.id : null,
      name: this.file.name,
    };
  };

  Uploader.prototype._failed = function (error) {
    if (!(error instanceof UploadError)) error = new UploadError(0, 'upload.error', String(error));
    // The app refused the file itself (or it is gone): this upload cannot be resumed.
    if (error.status >= 400 && error.status < 500 && error.code !== 'upload.incomplete') {
      remember(this.key, null);
    }
    return error;
  };

  Uploader.prototype._progress = function () {
    var total = this.file.size || 1;
    var loaded = this.storedBytes;
    for (var n in this.inflight) loaded += this.inflight[n];
    loaded = Math.min(loaded, total);
    var now = Date.now();
    this.samples.push([now, loaded]);
    while (this.samples.length > 2 && now - this.samples[0][0] > SPEED_WINDOW_MS) this.samples.shift();
    var first = this.samples[0];
    var elapsed = (now - first[0]) / 1000;
    var speed = elapsed >= 2 ? (loaded - first[1]) / elapsed : 0;
    var percent = Math.floor((loaded / total) * 100);
    var remaining = speed > 0 ? (total - loaded) / speed : null;
    var text = '已上传 ' + percent + '%' +
      (remaining !== null && loaded < total ? '，剩余约 ' + minutesText(remaining) : '');
    if (this.options.onProgress) {
      this.options.onProgress({
        loaded: loaded, total: total, percent: percent, remainingSeconds: remaining, text: text,
      });
    }
  };

  Uploader.prototype._status = function (text) {
    if (this.options.onStatus) this.options.onStatus(text);
  };

  function element(target) {
    if (!target) return null;
    return typeof target === 'string' ? document.querySelector(target) : target;
  }

  /*
   * Wire a file input: choosing a file starts (or resumes) its upload. Options as for
   * Uploader, plus progress (a <progress> element or selector; made if absent), status (an
   * element or selector for the text; made if absent), field (name of a hidden input that
   * receives the file id), onUploaded(detail), onError(error). Events on the input:
   * lianyan:uploaded {fileId, sha256, size, uploadId, name}, lianyan:upload-error {code, detail}.
   */
  function attach(input, options) {
    input = element(input);
    options = Object.assign({}, options || {});
    var progress = element(options.progress);
    if (!progress) {
      progress = document.createElement('progress');
      progress.max = 100;
      progress.value = 0;
      progress.hidden = true;
      input.insertAdjacentElement('afterend', progress);
    }
    var status = element(options.status);
    if (!status) {
      status = document.createElement('span');
      status.className = 'upload-status';
      status.setAttribute('role', 'status');
      progress.insertAdjacentElement('afterend', status);
    }
    var current = null;
    var waiting = pending(options.kind);
    if (waiting.length) {
      status.textContent = '“' + waiting[0].name + '”上次没有传完，重新选择该文件即可继续上传。';
    }
    function leaving(event) {
      event.preventDefault();
      event.returnValue = '';
    }
    function onChange() {
      var file = input.files && input.files[0];
      if (!file || current) return;
      var uploader = new Uploader(file, {
        kind: options.kind,
        purpose: options.purpose,
        concurrency: options.concurrency,
        onStatus: function (text) { status.textContent = text; },
        onProgress: function (p) {
          progress.hidden = false;
          progress.value = p.percent;
          status.textContent = p.text;
          if (options.onProgress) options.onProgress(p);
        },
      });
      current = uploader;
      input.disabled = true;
      window.addEventListener('beforeunload', leaving);
      uploader.start().then(function (detail) {
        if (options.field) {
          var form = input.form || input.parentNode;
          var hidden = form.querySelector('input[type=hidden][name="' + options.field + '"]');
          if (!hidden) {
            hidden = document.createElement('input');
            hidden.type = 'hidden';
            hidden.name = options.field;
            form.appendChild(hidden);
          }
          hidden.value = detail.fileId;
        }
        input.dispatchEvent(new CustomEvent('lianyan:uploaded', { bubbles: true, detail: detail }));
        if (options.onUploaded) options.onUploaded(detail);
      }, function (error) {
        status.textContent = error.detail || String(error);
        input.value = '';
        var detail = { code: error.code, detail: error.detail, status: error.status };
        input.dispatchEvent(new CustomEvent('lianyan:upload-error', { bubbles: true, detail: detail }));
        if (options.onError) options.onError(error);
      }).then(function () {
        current = null;
        input.disabled = false;
        window.removeEventListener('beforeunload', leaving);
      });
    }
    input.addEventListener('change', onChange);
    return {
      input: input,
      cancel: function () { return current ? current.cancel() : Promise.resolve(); },
      get uploader() { return current; },
    };
  }

  function upload(file, options) {
    /* Upload one File without any page elements; resolves to the detail of lianyan:uploaded. */
    return new Uploader(file, options).start();
  }

  function attachAll(root) {
    var inputs = (root || document).querySelectorAll('input[type=file][data-lianyan-upload]');
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (input._lianyanUpload) continue;
      input._lianyanUpload = attach(input, {
        kind: input.getAttribute('data-lianyan-upload'),
        purpose: input.getAttribute('data-purpose') || '',
        progress: input.getAttribute('data-progress'),
        status: input.getAttribute('data-status'),
        field: input.getAttribute('data-field'),
        concurrency: Number(input.getAttribute('data-concurrency')) || undefined,
      });
    }
  }

  window.LianyanUpload = {
    attach: attach,
    attachAll: attachAll,
    upload: upload,
    pending: pending,
    Uploader: Uploader,
    UploadError: UploadError,
  };

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', function () { attachAll(); });
  } else {
    attachAll();
  }
})();

// The fran serve page: plain JS, no libraries, nothing loaded from the network.
'use strict';

const $ = (id) => document.getElementById(id);
const state = { file: null, outputUrl: null, pipeline: false };

function setStatus(text, isError) {
  $('status').textContent = text;
  $('status').classList.toggle('error', Boolean(isError));
}

function bindSlider(id) {
  const update = () => { $(id + 'Value').textContent = $(id).value; };
  $(id).addEventListener('input', update);
  update();
}

async function loadModel() {
  try {
    const m = await (await fetch('v1/model')).json();
    const parts = [m.family, m.width ? 'width ' + m.width : null, m.backend, m.device,
      m.resolution + ' px'].filter(Boolean);
    $('model').textContent = 'Model: ' + parts.join(', ');
    state.pipeline = m.face_pipeline;
    $('pipelineToggle').hidden = !m.face_pipeline;
  } catch (e) {
    $('model').textContent = 'Model information unavailable: ' + e;
  }
}

function form(extra) {
  const f = new FormData();
  f.append('image', state.file, state.file.name);
  f.append('input_age', $('inputAge').value);
  if (state.pipeline) {
    f.append('pipeline', $('pipeline').checked ? 'on' : 'off');
  }
  for (const [k, v] of Object.entries(extra)) {
    f.append(k, v);
  }
  return f;
}

/** Posts a form; returns the response blob, or throws an Error with the server's message. */
async function post(path, body) {
  const r = await fetch(path, { method: 'POST', body, headers: { Accept: 'image/png' } });
  if (!r.ok) {
    let msg = r.status + ' ' + r.statusText;
    try {
      const e = await r.json();
      msg = e.message + (e.field ? ' (field ' + e.field + ')' : '') + (e.id ? ' [id ' + e.id + ']' : '');
    } catch (ignored) { /* not JSON */ }
    throw new Error(msg);
  }
  return r.blob();
}

function busy(on) {
  $('reage').disabled = on || !state.file;
  $('sweep').disabled = on || !state.file;
}

async function reage() {
  busy(true);
  setStatus('Re-aging...');
  try {
    const target = $('targetAge').value;
    const blob = await post('v1/reage', form({ target_age: target }));
    if (state.outputUrl) {
      URL.revokeObjectURL(state.outputUrl);
    }
    state.outputUrl = URL.createObjectURL(blob);
    $('output').src = state.outputUrl;
    $('outputCaption').textContent = 'Output: age ' + $('inputAge').value + ' \u2192 ' + target;
    $('download').href = state.outputUrl;
    $('download').download = 'reaged_' + target + '.png';
    $('download').hidden = false;
    setStatus('Done.');
  } catch (e) {
    setStatus('Error: ' + e.message, true);
  } finally {
    busy(false);
  }
}

/** Reads the entries of a ZIP whose entries are stored (not deflated), as /v1/sweep writes. */
function unzipStored(buffer) {
  const view = new DataView(buffer);
  const entries = [];
  let p = 0;
  while (p + 30 <= buffer.byteLength && view.getUint32(p, true) === 0x04034b50) {
    const size = view.getUint32(p + 18, true);
    const nameLength = view.getUint16(p + 26, true);
    const extraLength = view.getUint16(p + 28, true);
    const name = new TextDecoder().decode(new Uint8Array(buffer, p + 30, nameLength));
    const start = p + 30 + nameLength + extraLength;
    entries.push({ name, data: new Uint8Array(buffer, start, size) });
    p = start + size;
  }
  return entries;
}

async function sweep() {
  busy(true);
  setStatus('Sweeping...');
  try {
    const blob = await post('v1/sweep', form({ ages: '20,30,40,50,60,70,80' }));
    const strip = $('strip');
    strip.replaceChildren();
    for (const e of unzipStored(await blob.arrayBuffer())) {
      const fig = document.createElement('figure');
      const img = document.createElement('img');
      img.src = URL.createObjectURL(new Blob([e.data], { type: 'image/png' }));
      img.alt = e.name;
      const cap = document.createElement('figcaption');
      cap.textContent = e.name.replace(/^age_/, 'age ').replace(/\.png$/, '');
      fig.append(img, cap);
      strip.append(fig);
    }
    setStatus('Sweep done.');
  } catch (e) {
    setStatus('Error: ' + e.message, true);
  } finally {
    busy(false);
  }
}

$('photo').addEventListener('change', () => {
  state.file = $('photo').files[0] || null;
  if (state.file) {
    $('input').src = URL.createObjectURL(state.file);
    setStatus('Set the ages, then Re-age or Sweep.');
  }
  busy(false);
});
$('reage').addEventListener('click', reage);
$('sweep').addEventListener('click', sweep);
bindSlider('inputAge');
bindSlider('targetAge');
loadModel();

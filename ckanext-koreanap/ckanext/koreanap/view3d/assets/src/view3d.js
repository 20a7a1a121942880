// CKAN module "koreanap-view3d": shows a GLB, STL, OBJ or PLY file with
// three.js (rotate, zoom, move), or a still image without WebGL, or says why
// the file cannot be shown. The figure's data-state tells which happened:
// loading, rendered, still or error.
import {
  Color,
  DirectionalLight,
  HemisphereLight,
  PerspectiveCamera,
  Scene,
  Vector3,
  WebGLRenderer,
} from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';

import { loadModel, ModelError } from './load.js';
import { drawStill, VIEW_DIRECTION } from './still.js';

const BACKGROUND = 0xeef0f3;

function webglRenderer() {
  // three.js needs WebGL 2; without it (or with it switched off) the
  // constructor throws and the still image is drawn instead.
  try {
    const probe = document.createElement('canvas');
    if (!probe.getContext('webgl2')) return null;
    // preserveDrawingBuffer keeps the last frame readable (screenshots, tests).
    return new WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
  } catch (error) {
    return null;
  }
}

function formatStats(kind, info, _) {
  const parts = [];
  if (info.faces) parts.push(_('%(n)s faces', { n: info.faces.toLocaleString() }));
  if (info.points) parts.push(_('%(n)s points', { n: info.points.toLocaleString() }));
  // glTF is in metres; STL has no unit but 3D printing uses millimetres.
  const factor = kind === 'glb' ? 1000 : 1;
  // Along the file's own axes (STL and PLY were turned from Z up to Y up).
  const zUp = kind === 'stl' || kind === 'ply';
  const axes = zUp ? [info.size.x, info.size.z, info.size.y] : [info.size.x, info.size.y, info.size.z];
  const dims = axes.map((d) => (d * factor).toFixed(1));
  if (kind === 'glb' || kind === 'stl') {
    parts.push(_('%(dims)s mm', { dims: dims.join(' × ') }));
  } else {
    parts.push(_('%(dims)s (file units)', { dims: dims.join(' × ') }));
  }
  return parts.join(' · ');
}

function showWebGL(stage, renderer, object, info, resetButton) {
  const scene = new Scene();
  scene.background = new Color(BACKGROUND);
  scene.add(new HemisphereLight(0xffffff, 0x8d8d8d, 1.8));
  scene.add(object);

  const centre = info.box.getCenter(new Vector3());
  const radius = info.size.length() / 2;
  const camera = new PerspectiveCamera(40, 1, radius / 100, radius * 100);
  const keyLight = new DirectionalLight(0xffffff, 1.6);
  keyLight.position.set(0.5, 1, 1);
  camera.add(keyLight);
  scene.add(camera);
  const distance = (radius / Math.sin((camera.fov * Math.PI) / 360)) * 1.05;
  camera.position.copy(centre).addScaledVector(VIEW_DIRECTION, distance);

  renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
  stage.appendChild(renderer.domElement);
  const controls = new OrbitControls(camera, renderer.domElement);
  controls.target.copy(centre);
  controls.minDistance = radius / 20;
  controls.maxDistance = radius * 20;

  const render = () => renderer.render(scene, camera);
  const resize = () => {
    const width = stage.clientWidth || 640;
    const height = stage.clientHeight || 460;
    renderer.setSize(width, height, false);
    camera.aspect = width / height;
    camera.updateProjectionMatrix();
    render();
  };
  // Draw only when something changed: no busy loop in a background tab.
  controls.addEventListener('change', render);
  controls.update();
  controls.saveState();
  resetButton.addEventListener('click', () => controls.reset());
  resetButton.hidden = false;
  new ResizeObserver(resize).observe(stage);
  resize();
}

function showStill(stage, object, info, imageUrl, _) {
  if (imageUrl) {
    const img = document.createElement('img');
    img.src = imageUrl;
    img.alt = _('Still image of the 3D model');
    stage.appendChild(img);
    return;
  }
  const canvas = document.createElement('canvas');
  canvas.width = stage.clientWidth || 640;
  canvas.height = stage.clientHeight || 460;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', _('Still image of the 3D model'));
  stage.appendChild(canvas);
  drawStill(canvas, object, info.box);
}

async function run(figure, options, _) {
  const stage = figure.querySelector('.koreanap-view3d-stage');
  const status = figure.querySelector('.koreanap-view3d-status');
  const stats = figure.querySelector('.koreanap-view3d-stats');
  const setState = (state) => { figure.dataset.state = state; };
  const fail = (reason) => {
    figure.querySelector('.koreanap-view3d-error-reason').textContent = reason;
    figure.querySelector('.koreanap-view3d-error').hidden = false;
    status.textContent = '';
    setState('error');
  };

  if (options.tooLarge) {
    fail(_('It is too large to show in the browser.'));
    return;
  }
  try {
    const progress = (done, total) => {
      status.textContent = _('Loading the 3D model: %(done)s of %(total)s MB', {
        done: (done / 1e6).toFixed(1), total: (total / 1e6).toFixed(1) });
    };
    const { object, info } = await loadModel(options.url, options.kind, _, progress);
    stats.textContent = formatStats(options.kind, info, _);
    figure.dataset.faces = String(info.faces);
    figure.dataset.points = String(info.points);
    const renderer = webglRenderer();
    if (renderer) {
      showWebGL(stage, renderer, object, info,
        figure.querySelector('.koreanap-view3d-reset'));
      // Rendered once the first frame has reached the screen.
      requestAnimationFrame(() => requestAnimationFrame(() => setState('rendered')));
    } else {
      showStill(stage, object, info, options.stillImageUrl, _);
      status.textContent = _(
        'This browser cannot show 3D (WebGL is off or not supported): this is a still image.');
      setState('still');
    }
  } catch (error) {
    if (!(error instanceof ModelError)) {
      // An unexpected failure still gets a message rather than a blank canvas.
      window.console.error(error);
    }
    fail(error instanceof ModelError ? error.message : String(error && error.message || error));
  }
}

window.ckan.module('koreanap-view3d', function () {
  return {
    options: { url: '', kind: '', stillImageUrl: '', tooLarge: false },
    initialize: function () {
      // Named _ so that Babel extracts the messages for the catalogs.
      const _ = (text, values) => this._(text, values);
      run(this.el[0], this.options, _);
    },
  };
});

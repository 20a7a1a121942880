// Download a 3D file and turn it into a three.js object, or fail with a
// reason a person can read (a ModelError), never with a blank canvas.
import {
  Box3,
  BufferGeometry,
  DoubleSide,
  Group,
  Mesh,
  MeshStandardMaterial,
  Points,
  PointsMaterial,
  Vector3,
} from 'three';
import { GLTFLoader } from 'three/addons/loaders/GLTFLoader.js';
import { OBJLoader } from 'three/addons/loaders/OBJLoader.js';
import { PLYLoader } from 'three/addons/loaders/PLYLoader.js';
import { STLLoader } from 'three/addons/loaders/STLLoader.js';

const STONE = 0xb9b3a8;

export class ModelError extends Error {}

function startsWithText(buffer, text, skip = 0) {
  const bytes = new Uint8Array(buffer, 0, Math.min(buffer.byteLength, 1024));
  const head = new TextDecoder('latin1').decode(bytes).slice(skip).trimStart();
  return head.toLowerCase().startsWith(text);
}

function stoneMaterial(geometry, points) {
  const vertexColors = Boolean(geometry.getAttribute('color'));
  if (points) {
    return new PointsMaterial({
      color: vertexColors ? 0xffffff : 0x6b665e, size: 2, sizeAttenuation: false, vertexColors,
    });
  }
  return new MeshStandardMaterial({
    color: vertexColors ? 0xffffff : STONE,
    roughness: 0.85,
    metalness: 0,
    flatShading: !geometry.getAttribute('normal'),
    vertexColors,
    side: DoubleSide,
  });
}

function fromGeometry(geometry, cloudIfNoFaces) {
  // A PLY without faces (no index) is a point cloud, as scans often are.
  if (cloudIfNoFaces && geometry.index === null) {
    return new Points(geometry, stoneMaterial(geometry, true));
  }
  return new Mesh(geometry, stoneMaterial(geometry, false));
}

function zUpToYUp(object) {
  // STL and PLY are Z up (printing, scanning); three.js and glTF are Y up.
  const group = new Group();
  object.rotation.x = -Math.PI / 2;
  group.add(object);
  return group;
}

async function parse(kind, buffer, _) {
  if (kind === 'glb') {
    if (!startsWithText(buffer, 'gltf')) {
      throw new ModelError(_('It is not a GLB file: a GLB file starts with "glTF".'));
    }
    const gltf = await new GLTFLoader().parseAsync(buffer, '');
    return gltf.scene;
  }
  if (kind === 'stl') {
    const view = new DataView(buffer);
    const triangles = buffer.byteLength >= 84 ? view.getUint32(80, true) : -1;
    const binary = triangles >= 0 && 84 + 50 * triangles === buffer.byteLength;
    if (!binary && !startsWithText(buffer, 'solid')) {
      throw new ModelError(_(
        'It is not a valid STL file: as binary STL its size does not match the number of '
        + 'triangles in its header (the file may be cut short), and it is not text STL '
        + '(which starts with "solid").'));
    }
    return zUpToYUp(fromGeometry(new STLLoader().parse(buffer), false));
  }
  if (kind === 'ply') {
    if (!startsWithText(buffer, 'ply')) {
      throw new ModelError(_('It is not a PLY file: a PLY file starts with "ply".'));
    }
    return zUpToYUp(fromGeometry(new PLYLoader().parse(buffer), true));
  }
  if (kind === 'obj') {
    const text = new TextDecoder('utf-8').decode(buffer);
    const group = new OBJLoader().parse(text);
    group.traverse((child) => {
      if (child.isMesh || child.isPoints) {
        child.material = stoneMaterial(child.geometry, child.isPoints);
      }
    });
    return group;
  }
  throw new ModelError(_('The view does not know this format.'));
}

// Faces, points and the bounding box; a model with nothing to draw, or with
// coordinates that are not numbers, is refused.
export function describe(object, _) {
  let faces = 0;
  let points = 0;
  let bad = false;
  object.updateMatrixWorld(true);
  object.traverse((child) => {
    const geometry = child.geometry;
    if (!(geometry instanceof BufferGeometry)) return;
    const position = geometry.getAttribute('position');
    if (!position) return;
    const array = position.array;
    for (let i = 0; i < array.length; i += 1) {
      if (!Number.isFinite(array[i])) { bad = true; break; }
    }
    if (child.isMesh) {
      faces += Math.floor((geometry.index ? geometry.index.count : position.count) / 3);
    } else if (child.isPoints) {
      points += position.count;
    }
  });
  if (bad) {
    throw new ModelError(_('It contains coordinates that are not numbers: the file is damaged.'));
  }
  if (faces === 0 && points === 0) {
    throw new ModelError(_('No triangles or points were found in it: the file is empty or damaged.'));
  }
  const box = new Box3().setFromObject(object);
  const size = box.getSize(new Vector3());
  if (box.isEmpty() || !(size.length() > 0)) {
    throw new ModelError(_('All its points are in one place: there is nothing to see.'));
  }
  return { faces, points, box, size };
}

// The body as one ArrayBuffer, telling onProgress (bytes read, bytes in all)
// as it arrives when the server gives the length.
async function readBody(response, onProgress) {
  const total = Number(response.headers.get('content-length')) || 0;
  if (!response.body || !total || !onProgress) return response.arrayBuffer();
  const reader = response.body.getReader();
  const chunks = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.length;
    onProgress(Math.min(received, total), total);
  }
  const bytes = new Uint8Array(received);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes.buffer;
}

export async function loadModel(url, kind, _, onProgress) {
  let response;
  try {
    response = await fetch(url, { credentials: 'same-origin' });
  } catch (error) {
    throw new ModelError(_(
      'The file could not be downloaded: the server cannot be reached or does not let '
      + 'this page read it.'));
  }
  if (!response.ok) {
    throw new ModelError(_('The server answered HTTP %(status)s when the file was requested.',
      { status: response.status }));
  }
  const buffer = await readBody(response, onProgress);
  if (buffer.byteLength === 0) {
    throw new ModelError(_('The file is empty.'));
  }
  let object;
  try {
    object = await parse(kind, buffer, _);
  } catch (error) {
    if (error instanceof ModelError) throw error;
    throw new ModelError(_('It could not be read as %(format)s: %(reason)s',
      { format: kind.toUpperCase(), reason: String(error && error.message || error) }));
  }
  return { object, info: describe(object, _) };
}

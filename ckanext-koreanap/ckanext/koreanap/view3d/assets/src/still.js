// A still image of a model for browsers without WebGL: the triangles are
// projected in JavaScript and painted back to front on a 2D canvas, lit
// from the viewer's side. Same view direction as the WebGL camera.
import { Vector3 } from 'three';

const MAX_TRIANGLES = 200000;
const BACKGROUND = '#eef0f3';
const STONE = [185, 179, 168];

// Direction from the model's centre towards the viewer.
export const VIEW_DIRECTION = new Vector3(1, 0.75, 1.25).normalize();

function collect(object) {
  const triangles = [];
  const points = [];
  const v = new Vector3();
  object.updateMatrixWorld(true);
  object.traverse((child) => {
    const position = child.geometry && child.geometry.getAttribute('position');
    if (!position) return;
    const world = (i) => v.fromBufferAttribute(position, i).applyMatrix4(child.matrixWorld)
      .toArray();
    if (child.isPoints) {
      for (let i = 0; i < position.count; i += 1) points.push(world(i));
      return;
    }
    if (!child.isMesh) return;
    const index = child.geometry.index;
    const count = index ? index.count : position.count;
    const corner = index ? (i) => index.getX(i) : (i) => i;
    const step = Math.max(1, Math.ceil(count / 3 / MAX_TRIANGLES));
    for (let i = 0; i + 2 < count; i += 3 * step) {
      triangles.push([world(corner(i)), world(corner(i + 1)), world(corner(i + 2))]);
    }
  });
  return { triangles, points };
}

export function drawStill(canvas, object, box) {
  const width = canvas.width;
  const height = canvas.height;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = BACKGROUND;
  ctx.fillRect(0, 0, width, height);

  const centre = box.getCenter(new Vector3());
  const radius = box.getSize(new Vector3()).length() / 2;
  const back = VIEW_DIRECTION;
  const right = new Vector3(0, 1, 0).cross(back).normalize();
  const up = back.clone().cross(right);
  const light = back.clone().add(new Vector3(0.3, 0.6, 0)).normalize();
  const scale = (Math.min(width, height) * 0.45) / radius;
  const project = (p) => {
    const d = new Vector3(p[0] - centre.x, p[1] - centre.y, p[2] - centre.z);
    return [width / 2 + d.dot(right) * scale, height / 2 - d.dot(up) * scale, d.dot(back)];
  };

  const { triangles, points } = collect(object);
  const faces = triangles.map((t) => {
    const [a, b, c] = t.map(project);
    const e1 = new Vector3(t[1][0] - t[0][0], t[1][1] - t[0][1], t[1][2] - t[0][2]);
    const e2 = new Vector3(t[2][0] - t[0][0], t[2][1] - t[0][1], t[2][2] - t[0][2]);
    const normal = e1.cross(e2).normalize();
    const shade = 0.35 + 0.65 * Math.abs(normal.dot(light) || 0);
    return { a, b, c, depth: (a[2] + b[2] + c[2]) / 3, shade };
  });
  faces.sort((f, g) => f.depth - g.depth);
  for (const f of faces) {
    const rgb = STONE.map((x) => Math.round(x * f.shade)).join(',');
    ctx.fillStyle = `rgb(${rgb})`;
    ctx.strokeStyle = ctx.fillStyle;
    ctx.lineWidth = 0.6;
    ctx.beginPath();
    ctx.moveTo(f.a[0], f.a[1]);
    ctx.lineTo(f.b[0], f.b[1]);
    ctx.lineTo(f.c[0], f.c[1]);
    ctx.closePath();
    ctx.fill();
    ctx.stroke();
  }
  if (points.length) {
    ctx.fillStyle = 'rgb(107,102,94)';
    const step = Math.max(1, Math.ceil(points.length / MAX_TRIANGLES));
    for (let i = 0; i < points.length; i += step) {
      const [x, y] = project(points[i]);
      ctx.fillRect(x - 1, y - 1, 2, 2);
    }
  }
}

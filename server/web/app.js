// The reach web map: roads, facilities by layer, the service circles, the
// gaps ranked in the side panel, the nearest open facility on a click, and a
// time-of-day control. Everything comes from this server's API; MapLibre GL
// JS is served by the server itself (installed from npm), so nothing is
// fetched from the internet unless a base map URL is given (?basemap=URL of
// raster tiles with {z}/{x}/{y}; with ?crs=gcj02 or bd09 everything is drawn
// in that system, to lie on a Chinese base map).
import * as maplibregl from '/vendor/maplibre-gl/maplibre-gl.mjs';

const params = new URLSearchParams(location.search);
const minutes = (params.get('minutes') || '10,15').split(',').map(Number).sort((a, b) => a - b);
const layer = params.get('layer') || 'stations';
// Coordinates of every request and answer: wgs84 (default), or gcj02 / bd09
// to lie on AMap, Tencent or Baidu base maps (?crs=gcj02&basemap=...).
const crs = params.get('crs') || 'wgs84';
const api = (path, query = {}) => `/api/v1/${path}?${new URLSearchParams({ ...query, crs })}`;
const empty = { type: 'FeatureCollection', features: [] };
const colors = { stations: '#2166ac', merchants: '#e08214', parking: '#762a83' };

async function fetchJson(url) {
  const response = await fetch(url);
  const body = await response.json();
  if (!response.ok) throw new Error(`${body.error}: ${body.message}`);
  return body;
}

function showError(error) {
  document.getElementById('error').textContent = String(error.message || error);
}

function style(basemap) {
  const sources = {};
  const layers = [{ id: 'background', type: 'background', paint: { 'background-color': '#f4f1ea' } }];
  if (basemap) {
    sources.basemap = { type: 'raster', tiles: [basemap], tileSize: 256 };
    layers.push({ id: 'basemap', type: 'raster', source: 'basemap' });
  }
  return { version: 8, sources, layers };
}

// The chosen time of day as a local date-time for today, or null.
function chosenTime() {
  if (document.getElementById('any-time').checked) return null;
  const time = document.getElementById('at').value || '12:00';
  const today = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${today.getFullYear()}-${pad(today.getMonth() + 1)}-${pad(today.getDate())}T${time}`;
}

// The roads with their time to the nearest facility, as the server's vector
// tiles (fast for a whole city); in another coordinate system than WGS84 the
// tiles would not line up, so the roads in view come as GeoJSON instead.
const roadTiles = crs === 'wgs84';

function roadTileUrl() {
  const query = { layer, minutes: minutes.join(',') };
  const at = chosenTime();
  if (at) query.at = at;
  return `${location.origin}/api/v1/tiles/{z}/{x}/{y}.mvt?${new URLSearchParams(query)}`;
}

function addLayers(map) {
  for (const id of ['circles', 'gaps', 'route', ...Object.keys(colors)]) {
    map.addSource(id, { type: 'geojson', data: empty });
  }
  map.addSource('roads', roadTiles ? { type: 'vector', tiles: [roadTileUrl()], maxzoom: 22 } : { type: 'geojson', data: empty });
  const [inner, outer] = [minutes[0], minutes[minutes.length - 1]];
  map.addLayer({ id: 'circle-outer', type: 'fill', source: 'circles', filter: ['==', ['get', 'minutes'], outer],
    paint: { 'fill-color': '#a6dba0', 'fill-opacity': 0.45 } });
  map.addLayer({ id: 'circle-inner', type: 'fill', source: 'circles', filter: ['==', ['get', 'minutes'], inner],
    paint: { 'fill-color': '#1b7837', 'fill-opacity': 0.35 } });
  map.addLayer({ id: 'gaps', type: 'fill', source: 'gaps', filter: ['==', ['get', 'minutes'], inner],
    paint: { 'fill-color': '#d7301f', 'fill-opacity': 0.5 } });
  const byTime = ['interpolate', ['linear'], ['coalesce', ['get', 'time_s'], 1e9],
    0, '#1a9850', inner * 60, '#fee08b', outer * 60, '#f46d43', outer * 120, '#a50026'];
  map.addLayer({ id: 'roads', type: 'line', source: 'roads', ...(roadTiles ? { 'source-layer': 'roads' } : {}),
    paint: { 'line-color': roadTiles ? byTime : '#777', 'line-width': 1.5 } });
  map.addLayer({ id: 'route', type: 'line', source: 'route', paint: { 'line-color': '#111', 'line-width': 4 } });
  for (const [name, color] of Object.entries(colors)) {
    map.addLayer({ id: name, type: 'circle', source: name,
      paint: { 'circle-color': color, 'circle-radius': 6, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1.5 } });
  }
}

async function loadRoads(map) {
  if (roadTiles) {
    map.getSource('roads').setTiles([roadTileUrl()]);
    return;
  }
  const b = map.getBounds();
  const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(6)).join(',');
  try {
    map.getSource('roads').setData(await fetchJson(api('roads', { bbox })));
  } catch (error) {
    map.getSource('roads').setData(empty); // too many roads in view: zoom in
  }
}

async function loadCoverage(map) {
  const query = { layer, minutes: minutes.join(',') };
  const at = chosenTime();
  if (at) query.at = at;
  const [summary, gaps, circles] = await Promise.all([
    fetchJson(api('coverage', query)),
    fetchJson(api('gaps', { ...query, areas: 'true' })),
    fetchJson(api('service-circles', { layer, minutes: minutes.join(',') })),
  ]);
  map.getSource('gaps').setData(gaps);
  map.getSource('circles').setData(circles);
  const rows = summary.contours.map((c) => {
    const verdict = c.full_coverage ? '<span class="full">full coverage</span>' : `<span class="gap">${c.gaps} gaps</span>`;
    return `<tr><td>${c.minutes} min</td><td>${verdict}</td><td>${(c.covered_share * 100).toFixed(1)} % of ${summary.road_km.toFixed(1)} km</td></tr>`;
  });
  document.querySelector('#verdict tbody').innerHTML = rows.join('');
  const list = document.getElementById('gaps');
  list.innerHTML = '';
  const first = summary.contours[0];
  for (const gap of first.top_gaps) {
    const item = document.createElement('li');
    item.textContent = `${gap.road_km.toFixed(2)} km, demand ${gap.demand}, worst ${gap.worst_s === null ? 'unreachable' : `${Math.round(gap.worst_s)} s`} (${first.minutes} min)`;
    item.addEventListener('click', () => map.flyTo({ center: gap.centroid, zoom: 16 }));
    list.appendChild(item);
  }
  if (first.top_gaps.length === 0) list.innerHTML = '<li>none</li>';
  const open = at ? ` open at ${at.slice(11)}` : '';
  document.getElementById('extract').textContent =
    `${summary.file.split('/').pop()}: ${summary.facilities} ${summary.layers.join(', ')}${open}, ${summary.profile}, riders travelling to the facility.`;
}

async function nearest(map, lngLat) {
  const query = { lon: lngLat.lng.toFixed(6), lat: lngLat.lat.toFixed(6), k: 1 };
  const at = chosenTime();
  if (at) query.open_at = at;
  const out = document.getElementById('nearest');
  try {
    const result = await fetchJson(api('nearest', query));
    window.reachLastNearest = result;
    map.getSource('route').setData(result);
    const best = result.features[0];
    if (!best) {
      out.textContent = result.shortfall;
      return;
    }
    const p = best.properties;
    out.textContent = `${p.name || p.facility} (${p.layer}): ${p.minutes} min, ${Math.round(p.distance_m)} m.`;
    new maplibregl.Popup().setLngLat(lngLat).setText(`${p.name || p.facility}: ${p.minutes} min`).addTo(map);
  } catch (error) {
    window.reachLastNearest = { error: String(error.message) };
    out.textContent = error.message;
  }
}

async function main() {
  const meta = await fetchJson(api('meta'));
  const map = new maplibregl.Map({
    container: 'map',
    style: style(params.get('basemap')),
    bounds: [[meta.bbox[0], meta.bbox[1]], [meta.bbox[2], meta.bbox[3]]],
    fitBoundsOptions: { padding: 20 },
    attributionControl: { customAttribution: meta.attribution },
  });
  window.reachMap = map;
  map.addControl(new maplibregl.NavigationControl(), 'top-left');
  map.addControl(new maplibregl.ScaleControl(), 'bottom-left');
  await new Promise((resolve) => map.on('load', resolve));
  addLayers(map);
  await Promise.all([
    loadRoads(map),
    loadCoverage(map),
    ...Object.keys(colors).map(async (name) => map.getSource(name).setData(await fetchJson(api(`layers/${name}`)))),
  ]);
  if (!roadTiles) map.on('moveend', () => loadRoads(map));
  map.on('click', (event) => nearest(map, event.lngLat));
  for (const id of ['at', 'any-time']) {
    document.getElementById(id).addEventListener('change', () => {
      loadCoverage(map).catch(showError);
      loadRoads(map);
    });
  }
  map.once('idle', () => { window.reachReady = true; });
}

main().catch(showError);

// Extract the boundaries the site's maps need from Natural Earth (npm world-atlas)
// into natoca/assets/*.geojson, which are committed so builds need no network.
// Usage (from a scratch folder, so package.json stays free of it):
//   npm install --no-save world-atlas@2 topojson-client@3 && node scripts/make_region_map.mjs
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { feature } from "topojson-client";

const require = createRequire(import.meta.url);
const PARTNERS = ["Kazakhstan", "Kyrgyzstan", "Tajikistan", "Turkmenistan", "Uzbekistan"];
// Each map: its view (degrees), the Natural Earth scale and the rounding of coordinates.
// Points far outside a view are clamped to a margin around it, which keeps the shapes
// closed while dropping most vertices.
const MAPS = {
  region: { view: { west: 44, east: 92, south: 28, north: 57 }, scale: "50m", digits: 100, margin: 2 },
  europe: { view: { west: -12, east: 46, south: 33, north: 66 }, scale: "110m", digits: 10, margin: 2 },
};

const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

for (const [name, { view, scale, digits, margin }] of Object.entries(MAPS)) {
  const world = JSON.parse(readFileSync(require.resolve(`world-atlas/countries-${scale}.json`), "utf8"));
  const round = (v) => Math.round(v * digits) / digits;
  const inView = ([lon, lat]) => lon >= view.west - margin && lon <= view.east + margin && lat >= view.south - margin && lat <= view.north + margin;
  const ring = (points) => {
    const out = [];
    for (const [lon, lat] of points) {
      const p = [round(clamp(lon, view.west - margin, view.east + margin)), round(clamp(lat, view.south - margin, view.north + margin))];
      const last = out[out.length - 1];
      if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
    }
    return out;
  };
  const countries = feature(world, world.objects.countries).features
    .map((f) => {
      const polygons = f.geometry?.type === "Polygon" ? [f.geometry.coordinates] : f.geometry?.type === "MultiPolygon" ? f.geometry.coordinates : [];
      const kept = polygons.filter((poly) => poly[0].some(inView)).map((poly) => poly.map(ring).filter((r) => r.length > 3));
      return { name: f.properties.name, polygons: kept.filter((p) => p.length) };
    })
    .filter((c) => c.polygons.length)
    .sort((a, b) => a.name.localeCompare(b.name));
  const out = {
    type: "FeatureCollection",
    source: `Natural Earth 1:${scale} admin-0 countries via npm world-atlas@2.0.2 (public domain data; world-atlas ISC licence)`,
    view,
    features: countries.map((c) => ({
      type: "Feature",
      properties: { name: c.name, partner: PARTNERS.includes(c.name) },
      geometry: { type: "MultiPolygon", coordinates: c.polygons },
    })),
  };
  writeFileSync(new URL(`../natoca/assets/${name}.geojson`, import.meta.url), JSON.stringify(out) + "\n");
  console.log(`${name}: ${countries.length} countries: ${countries.map((c) => c.name).join(", ")}`);
}

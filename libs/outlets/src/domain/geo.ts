/** Great-circle distances (WGS-84 coordinates on a sphere of the mean Earth radius: error < 0.5 %). */
export const EARTH_RADIUS_KM = 6371.0088;

const rad = (deg: number) => (deg * Math.PI) / 180;

/** Haversine distance in km. */
export function greatCircleKm(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const dLat = rad(lat2 - lat1);
  const dLng = rad(lng2 - lng1);
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

export interface Box {
  minLat: number;
  maxLat: number;
  minLng: number;
  maxLng: number;
}

/**
 * A latitude/longitude box that contains every point within `km` of (lat, lng): the prefilter an index can answer.
 * Near a pole or when the box would cross the antimeridian it widens to every longitude (no outlets are there;
 * correctness over tightness).
 */
export function boundingBox(lat: number, lng: number, km: number): Box {
  const dLat = (km / EARTH_RADIUS_KM) * (180 / Math.PI);
  const minLat = Math.max(-90, lat - dLat);
  const maxLat = Math.min(90, lat + dLat);
  const maxAbsLat = Math.max(Math.abs(minLat), Math.abs(maxLat));
  if (maxAbsLat >= 89.9) return { minLat, maxLat, minLng: -180, maxLng: 180 };
  const dLng = dLat / Math.cos(rad(maxAbsLat));
  if (dLng >= 180 || lng - dLng < -180 || lng + dLng > 180) return { minLat, maxLat, minLng: -180, maxLng: 180 };
  return { minLat, maxLat, minLng: lng - dLng, maxLng: lng + dLng };
}

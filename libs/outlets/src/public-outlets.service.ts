import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { cursorField, decodeCursor, Page, toPage } from '#libs/common';
import { stringify } from 'csv-stringify/sync';
import { StatementShapes } from '#libs/database';
import { DataSource } from 'typeorm';
import { neutraliseCell } from './csv-cell';
import { boundingBox, EARTH_RADIUS_KM } from './domain/geo';
import type { NearestOutletQuery, PublicOutletQuery, PublicOutletView } from './dto';
import { PublicOutletRow, regionView, toPublicOutletView } from './views';

/** The most rows a CSV download holds (a province has a few thousand active outlets; the country about 100,000). */
export const PUBLIC_CSV_MAX_ROWS = 100_000;
/** Search radii of the nearest search, km: each a bounding box on the GiST index, widened until enough are found (25 km holds ten in a city). */
const RADII_KM = [25, 100, 400, 1600, 21_000];

const PUBLIC_COLUMNS = `o.id, o.name, o.type, oe.name AS owner_name, o.address, o.region_code, o.lat, o.lng,
  o.contact_name, o.contact_phone, o.contact_email, o.publication_url`;

/** The haversine distance (km) from ($1 lat, $2 lng) to the outlet, in SQL. */
const DISTANCE = `(2 * ${EARTH_RADIUS_KM} * asin(least(1, sqrt(
    power(sin(radians(o.lat - $1) / 2), 2) + cos(radians($1)) * cos(radians(o.lat)) * power(sin(radians(o.lng - $2) / 2), 2)))))`;

/** The first text after every code that starts with a prefix of digits ('3501' → '3502', '39' → '3:'; C collation). */
const prefixEnd = (prefix: string) => prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Public disclosure of active outlets (no key): by region, type and words, as JSON pages or a CSV download;
 * and the nearest ones to a point by great-circle distance. Suspended and closed outlets are not shown.
 */
@Injectable()
export class PublicOutletsService {
  /**
   * The list's and the nearest search's few statement shapes run as named prepared statements: planning them cost
   * as much as running them (1.5 ms against 0.3 ms on the benchmark's database). Their predicates stay index ranges
   * under a generic plan (a prefix as `>= $1 AND < $2`, never `LIKE $1`, whose bounds a generic plan cannot know).
   */
  private readonly shapes = new StatementShapes('outlets.public', 40);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(query: PublicOutletQuery): Promise<Page<PublicOutletView>> {
    const after = decodeCursor<{ r: string; id: string }>(query.cursor, { r: cursorField.matches(/^[0-9]{6}$/), id: cursorField.uuid });
    const { where, params } = this.filters(query);
    if (after) {
      params.push(after.r, after.id);
      where.push(`(o.region_key, o.id) > ($${params.length - 1}::text, $${params.length}::uuid)`);
    }
    params.push(query.limit + 1);
    const rows = await this.shapes.runIn<PublicOutletRow>(
      this.dataSource.manager,
      `SELECT ${PUBLIC_COLUMNS} FROM outlets o JOIN enterprises oe ON oe.id = o.owner_enterprise_id
        WHERE ${where.join(' AND ')} ORDER BY o.region_key, o.id LIMIT $${params.length}`,
      params,
    );
    return toPage(rows, query.limit, toPublicOutletView, (r) => ({ r: r.region_code, id: r.id }));
  }

  /** Every matching outlet (up to PUBLIC_CSV_MAX_ROWS) as CSV, UTF-8 with a BOM (Excel), cells neutralised. */
  async csv(query: PublicOutletQuery): Promise<string> {
    const { where, params } = this.filters(query);
    const rows = await this.dataSource.query<PublicOutletRow[]>(
      `SELECT ${PUBLIC_COLUMNS} FROM outlets o JOIN enterprises oe ON oe.id = o.owner_enterprise_id
        WHERE ${where.join(' AND ')} ORDER BY o.region_key, o.id LIMIT ${PUBLIC_CSV_MAX_ROWS}`,
      params,
    );
    const header = [
      'id',
      'name',
      'type',
      'owner',
      'address',
      'region_code',
      'region',
      'lat',
      'lng',
      'contact_name',
      'contact_phone',
      'contact_email',
      'publication_url',
    ];
    const body = rows.map((r) =>
      [
        r.id,
        r.name,
        r.type,
        r.owner_name,
        r.address,
        r.region_code,
        regionView(r.region_code).fullName,
        r.lat,
        r.lng,
        r.contact_name,
        r.contact_phone,
        r.contact_email,
        r.publication_url,
      ].map((v) => neutraliseCell(v)),
    );
    return '\uFEFF' + stringify([header, ...body]);
  }

  async nearest(query: NearestOutletQuery): Promise<PublicOutletView[]> {
    for (const [i, radius] of RADII_KM.entries()) {
      const box = boundingBox(query.lat, query.lng, radius);
      const params: unknown[] = [query.lat, query.lng, box.minLng, box.minLat, box.maxLng, box.maxLat, radius, query.limit];
      const typeFilter = query.type ? `AND o.type = $${params.push(query.type)}` : '';
      const rows = await this.shapes.runIn<PublicOutletRow & { distance_km: number }>(
        this.dataSource.manager,
        `SELECT * FROM (
           SELECT ${PUBLIC_COLUMNS}, ${DISTANCE} AS distance_km
             FROM outlets o JOIN enterprises oe ON oe.id = o.owner_enterprise_id
            WHERE o.status = 'active' AND o.location IS NOT NULL AND o.location <@ box(point($3, $4), point($5, $6)) ${typeFilter}
         ) d WHERE d.distance_km <= $7 ORDER BY d.distance_km, d.id LIMIT $8`,
        params,
      );
      // Everything within the radius is inside the box, so these are the nearest once there are enough of them.
      if (rows.length >= query.limit || i === RADII_KM.length - 1) return rows.map((r) => toPublicOutletView({ ...r, distance_km: Number(r.distance_km) }));
    }
    return [];
  }

  private filters(query: PublicOutletQuery): { where: string[]; params: unknown[] } {
    const where = [`o.status = 'active'`];
    const params: unknown[] = [];
    if (query.region) {
      params.push(query.region, prefixEnd(query.region));
      where.push(`o.region_key >= $${params.length - 1}::text AND o.region_key < $${params.length}::text`);
    }
    if (query.type) {
      params.push(query.type);
      where.push(`o.type = $${params.length}`);
    }
    if (query.q) {
      params.push(`%${likeEscape(query.q)}%`);
      const p = `$${params.length}`;
      where.push(`(o.name ILIKE ${p} OR o.address ILIKE ${p} OR oe.name ILIKE ${p})`);
    }
    return { where, params };
  }
}

/**
 * The read scopes of policy.ts as SQL conditions, one meaning per resource. `param(value)` adds a query parameter
 * and returns its placeholder (the services' usual builder); the other arguments are SQL expressions naming
 * columns of the caller's query.
 */
export type Param = (value: unknown) => string;

/**
 * Whether the enterprise `enterpriseId` (SQL) is or was registered in region `prefix` (enterprise_regions keeps
 * the history: a firm moved elsewhere stays visible to the regulator it left). With `at` (SQL timestamptz), only
 * the registration in force at that instant counts (an event without a region counts where its reporter was when
 * it was uploaded).
 */
export function enterpriseInRegionSql(enterpriseId: string, prefix: string, param: Param, at?: string): string {
  const when = at ? ` AND er.valid_from <= ${at} AND (er.valid_to IS NULL OR er.valid_to > ${at})` : '';
  return `EXISTS (SELECT 1 FROM enterprise_regions er WHERE er.enterprise_id = ${enterpriseId} AND er.region_code LIKE ${param(likePrefix(prefix))}${when})`;
}

/** The ids of the enterprises ever registered in region `prefix`, as a subquery. */
export function enterprisesEverInRegionSql(prefix: string, param: Param): string {
  return `SELECT er.enterprise_id FROM enterprise_regions er WHERE er.region_code LIKE ${param(likePrefix(prefix))}`;
}

/**
 * Whether the battery of row `battery` (SQL alias of `batteries`) is or was located in region `prefix`, by its region
 * keys (its events' regions and where it was taken): the condition of lists. One battery's visibility (vehicles,
 * receivers, the packs it was in) is BatteriesService.assertVisible.
 */
export function batteryInRegionSql(battery: string, prefix: string, param: Param): string {
  likePrefix(prefix);
  return `${battery}.region_keys @> ARRAY[${param(prefix)}]::text[]`;
}

/** A LIKE pattern for a prefix of digits (anything else is refused: a scope comes from validated data). */
export function likePrefix(prefix: string): string {
  if (!/^[0-9]{1,6}$/.test(prefix)) throw new Error(`not a region prefix: ${prefix}`);
  return `${prefix}%`;
}

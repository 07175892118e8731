/**
 * Codes that a revision of GB/T 2260 retired, and what replaced them. Firms keep old codes in their systems
 * and in records written before the change, so an old code is accepted and read as its successor. Data, not
 * logic: add a row when the State Council approves a change and the dataset package catches up (or before).
 * `since` is the date from which the old code is no longer current.
 */
export interface RenamedRegion {
  from: string;
  to: string;
  since: string;
  note: string;
}

export const RENAMED_REGIONS: readonly RenamedRegion[] = [
  // 2019-01: 莱芜市 (3712) abolished; its districts became districts of 济南市.
  { from: '371200', to: '370100', since: '2019-01-09', note: '莱芜市并入济南市' },
  { from: '371201', to: '370100', since: '2019-01-09', note: '莱芜市市辖区并入济南市' },
  { from: '371202', to: '370116', since: '2019-01-09', note: '莱芜市莱城区 → 济南市莱芜区' },
  { from: '371203', to: '370117', since: '2019-01-09', note: '莱芜市钢城区 → 济南市钢城区' },
  // 2016-05: 简阳市 moved from 资阳市 to 成都市 (new code 510185).
  { from: '512081', to: '510185', since: '2016-05-05', note: '简阳市由资阳市代管改为成都市代管' },
];

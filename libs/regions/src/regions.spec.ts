import { currentRegionCode, isKnownRegion, REGION_DATA_VERSION, regionInfo, regionsOfLevel, validateRegionCode } from './regions';

describe('GB/T 2260 regions', () => {
  it('names a county with its province and prefecture', () => {
    expect(regionInfo('350102')).toMatchObject({
      code: '350102',
      name: '鼓楼区',
      level: 'county',
      provinceCode: '350000',
      provinceName: '福建省',
      prefectureCode: '350100',
      prefectureName: '福州市',
      fullName: '福建省 福州市 鼓楼区',
    });
  });

  it('knows provinces and prefectures by their 6-digit codes', () => {
    expect(regionInfo('440000')).toMatchObject({ level: 'province', name: '广东省', prefectureCode: null, fullName: '广东省' });
    expect(regionInfo('440300')).toMatchObject({ level: 'prefecture', name: '深圳市', fullName: '广东省 深圳市' });
    expect(regionInfo('810000')).toMatchObject({ level: 'province', name: '香港特别行政区' });
  });

  it("leaves the placeholder 市辖区 out of a municipality district's full name", () => {
    expect(regionInfo('110105')).toMatchObject({ name: '朝阳区', fullName: '北京市 朝阳区' });
    expect(regionInfo('429004')).toMatchObject({ name: '仙桃市', fullName: '湖北省 仙桃市' });
  });

  it('refuses codes that are not divisions', () => {
    expect(isKnownRegion('990000')).toBe(false);
    expect(isKnownRegion('350199')).toBe(false);
    expect(isKnownRegion('35010')).toBe(false);
    expect(isKnownRegion('35010a')).toBe(false);
    const refused = validateRegionCode('350199');
    expect(refused).toEqual({ ok: false, reason: expect.stringContaining(REGION_DATA_VERSION) });
  });

  it('reads a retired code as its successor, saying so', () => {
    const laicheng = regionInfo('371202');
    expect(laicheng).toMatchObject({ code: '370116', name: '莱芜区', renamedFrom: { from: '371202', to: '370116' } });
    expect(currentRegionCode('512081')).toBe('510185');
    expect(currentRegionCode('350102')).toBe('350102');
  });

  it('lists every level, with the counts of the 2023 data', () => {
    expect(regionsOfLevel('province')).toHaveLength(34);
    expect(regionsOfLevel('prefecture').length).toBeGreaterThan(330);
    expect(regionsOfLevel('county').length).toBeGreaterThan(2800);
  });
});

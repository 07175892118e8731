import { ApiProperty } from '@nestjs/swagger';

export class PassportGapView {
  @ApiProperty({ example: 'generalProductInformation.batteryMass' }) path: string;
  @ApiProperty({ example: 'no mass was registered' }) reason: string;
}

export class PassportView {
  @ApiProperty({ example: 'urn:gbt34014:001pb240000003b3c0221953' }) batteryPassportIdentifier: string;
  @ApiProperty() productIdentifier: string;
  @ApiProperty() dataModel: string;
  @ApiProperty({ type: Object, description: 'io.BatteryPass.GeneralProductInformation 1.2.0' }) generalProductInformation: Record<string, unknown>;
  @ApiProperty({ type: Object, description: 'io.BatteryPass.Performance 1.2.x: batteryTechicalProperties (sic) and batteryCondition' })
  performanceAndDurability: Record<string, unknown>;
  @ApiProperty({ type: Object, description: 'io.BatteryPass.Circularity 1.2.0, plus predecessorPassports / successorPassport' }) circularity: Record<
    string,
    unknown
  >;
  @ApiProperty({ type: [PassportGapView], description: 'Fields the model requires that the registry does not hold (left out, never invented)' })
  gaps: PassportGapView[];
}

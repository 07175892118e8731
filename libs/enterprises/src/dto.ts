import { ApiProperty, ApiPropertyOptional, PartialType, OmitType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  registerDecorator,
  ValidateNested,
  ValidationOptions,
} from 'class-validator';
import { IsRegionCode } from './region-check';
import { IsIsoDate, PageQuery } from '#libs/common';
import { ENTERPRISE_ROLES, EnterpriseRole, WHITELIST_STATUSES, WHITELIST_VERSIONS, WhitelistStatus } from './enterprise.entity';
import { checkUscc } from '#libs/identifiers';

/** Validates a 统一社会信用代码 including its GB 32100 check character. */
export function IsUscc(options?: ValidationOptions): PropertyDecorator {
  return (object, propertyName) => {
    registerDecorator({
      name: 'isUscc',
      target: object.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && checkUscc(value).ok,
        defaultMessage: (args) => {
          const v = args?.value;
          if (typeof v !== 'string') return `${args?.property} must be a string`;
          const result = checkUscc(v);
          return result.ok ? '' : `${args?.property} is not a valid unified social credit code: ${result.reason}`;
        },
      },
    });
  };
}

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const upper = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toUpperCase() : value);

export class ContactDto {
  @ApiPropertyOptional({ example: '张伟' }) @IsOptional() @IsString() @MaxLength(200) name?: string;
  @ApiPropertyOptional({ example: '+86 10 1234 5678' }) @IsOptional() @IsString() @MaxLength(50) phone?: string;
  @ApiPropertyOptional({ example: 'compliance@example.cn' }) @IsOptional() @IsEmail() email?: string;
}

export class WhitelistDto {
  @ApiProperty({ enum: WHITELIST_STATUSES }) @IsIn(WHITELIST_STATUSES) status: WhitelistStatus;
  @ApiPropertyOptional({ enum: WHITELIST_VERSIONS, description: 'Edition of the industry conditions (规范条件)' })
  @IsOptional()
  @IsIn(WHITELIST_VERSIONS)
  version?: '2019' | '2024';
  @ApiPropertyOptional({ example: '2024年第3批', description: 'Announcement batch' }) @IsOptional() @IsString() @MaxLength(200) batch?: string;
}

export class QmsCertificateDto {
  @ApiProperty({ example: '00123Q45678R0M' }) @IsString() @Length(1, 100) number: string;
  @ApiPropertyOptional({ example: '2027-06-30' }) @IsOptional() @IsIsoDate() validUntil?: string;
}

export class CreateEnterpriseDto {
  @ApiProperty({ example: '宁德时代新能源科技股份有限公司' }) @Transform(trim) @IsString() @Length(1, 300) name: string;

  @ApiProperty({ example: '91350100M000100Y43', description: '统一社会信用代码 (18 chars, GB 32100 check character)' })
  @Transform(upper)
  @IsUscc()
  uscc: string;

  @ApiProperty({ enum: ENTERPRISE_ROLES, isArray: true })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(ENTERPRISE_ROLES, { each: true })
  roles: EnterpriseRole[];

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) address?: string;

  @ApiPropertyOptional({ example: '350902', description: 'GB/T 2260 region code (6 digits) of the current dataset (libs/regions); set by an administrator' })
  @IsOptional()
  @IsRegionCode()
  regionCode?: string;

  @ApiPropertyOptional({ type: ContactDto }) @IsOptional() @ValidateNested() @Type(() => ContactDto) contact?: ContactDto;

  @ApiPropertyOptional({ type: WhitelistDto, description: 'Cascade utilisers and recyclers: industry-conditions whitelist' })
  @IsOptional()
  @ValidateNested()
  @Type(() => WhitelistDto)
  whitelist?: WhitelistDto;

  @ApiPropertyOptional({ type: QmsCertificateDto }) @IsOptional() @ValidateNested() @Type(() => QmsCertificateDto) qmsCertificate?: QmsCertificateDto;
}

/** The USCC identifies the legal entity and never changes; everything else may. */
export class UpdateEnterpriseDto extends PartialType(OmitType(CreateEnterpriseDto, ['uscc'] as const)) {}

/**
 * Fields that describe regulatory status and so only an administrator may change. The registered region decides
 * which regulator sees the firm: a firm may not move itself out of its regulator's sight (issue 13, item 5).
 */
export const ADMIN_ONLY_FIELDS = ['name', 'roles', 'whitelist', 'regionCode'] as const;

export class CreateApiKeyDto {
  @ApiProperty({ example: 'ERP integration', description: 'What the key is for' }) @Transform(trim) @IsString() @Length(1, 200) name: string;
}

export class CreateRegulatorDto {
  @ApiProperty({ example: '福建省工业和信息化厅' }) @Transform(trim) @IsString() @Length(1, 300) name: string;
  @ApiPropertyOptional({ example: '35', description: 'GB/T 2260 prefix (2, 4 or 6 digits) limiting what it reads; omit for nationwide' })
  @IsOptional()
  @Matches(/^[0-9]{2}([0-9]{2}([0-9]{2})?)?$/, { message: 'regionPrefix must be 2, 4 or 6 digits of a GB/T 2260 code' })
  regionPrefix?: string;
}

export class EnterpriseListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ENTERPRISE_ROLES }) @IsOptional() @IsIn(ENTERPRISE_ROLES) role?: EnterpriseRole;
  @ApiPropertyOptional({ description: 'GB/T 2260 prefix' })
  @IsOptional()
  @Matches(/^[0-9]{1,6}$/, { message: 'region must be up to 6 digits' })
  region?: string;
}

// ---- responses ----

export class EnterpriseView {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty() uscc: string;
  @ApiProperty({ enum: ENTERPRISE_ROLES, isArray: true }) roles: EnterpriseRole[];
  @ApiProperty({ nullable: true, type: String }) address: string | null;
  @ApiProperty({ nullable: true, type: String }) regionCode: string | null;
  @ApiProperty({ type: ContactDto }) contact: { name: string | null; phone: string | null; email: string | null };
  @ApiProperty({ type: WhitelistDto }) whitelist: { status: WhitelistStatus; version: string | null; batch: string | null };
  @ApiProperty({ type: QmsCertificateDto, nullable: true }) qmsCertificate: { number: string; validUntil: string | null } | null;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}

export class EnterprisePage {
  @ApiProperty({ type: [EnterpriseView] }) items: EnterpriseView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class ApiKeyView {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ['admin', 'regulator', 'enterprise'] }) ownerKind: string;
  @ApiProperty({ nullable: true, type: String }) enterpriseId: string | null;
  @ApiProperty({ nullable: true, type: String }) regulatorId: string | null;
  @ApiProperty({ example: 'ech_Ab12Cd34', description: 'First characters of the key' }) prefix: string;
  @ApiProperty() createdAt: string;
  @ApiProperty({ nullable: true, type: String }) revokedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) lastUsedAt: string | null;
}

export class CreatedApiKeyView extends ApiKeyView {
  @ApiProperty({ description: 'The key itself. Shown only in this response; store it now.' }) key: string;
}

export class RegulatorView {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) regionPrefix: string | null;
  @ApiProperty() createdAt: string;
}

export class MeView {
  @ApiProperty({ enum: ['admin', 'regulator', 'enterprise'] }) kind: string;
  @ApiProperty({ nullable: true, type: String }) keyId: string | null;
  @ApiProperty({ type: EnterpriseView, nullable: true }) enterprise: EnterpriseView | null;
  @ApiProperty({ type: RegulatorView, nullable: true }) regulator: RegulatorView | null;
}

import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, StreamableFile, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import { DecodedBatteryCode, parse } from '#libs/battery-code';
import { ApiErrors, CODE_PARAM, DomainException, Public } from '#libs/common';
import { renderBarcode } from './barcode';
import { decodeInput } from './decode-report';
import { BarcodeQuery, DecodeBatchView, DecodedCodeView, DecodeRequestDto, DecodeResultView, EncodeRequestDto } from './dto';
import { encodeFields, FIELD_OF_SEGMENT } from './encode';
import { codeErrorDetail, CodesErrorCode, CodesErrors } from './errors';
import { PublicRateLimitGuard } from './public-rate-limit';

/** Overrides the document's global bearer requirement: these routes need no key. */
const NO_KEY: [] = [];

/** Decoding and label barcodes: public (no API key), rate-limited per client. */
@ApiTags('codes')
@Public()
@UseGuards(PublicRateLimitGuard)
@ApiErrors(429)
@Controller('v1/codes')
export class CodesController {
  @Post('decode')
  @HttpCode(200)
  @ApiOperation({ summary: 'Decode up to 1,000 codes; one result per item (valid or with its position errors)', security: NO_KEY })
  @ApiOkResponse({ type: DecodeBatchView })
  @ApiErrors(400, 413, 422)
  decodeMany(@Body() dto: DecodeRequestDto): DecodeBatchView {
    const now = new Date();
    const results: DecodeResultView[] = dto.codes.map((input, i) => {
      const item = decodeInput(input, now);
      if (item.ok) return { input, ok: true, code: item.code };
      return { input, ok: false, normalised: item.normalised, errors: item.errors.map((e) => codeErrorDetail(`codes[${i}]`, e)) };
    });
    const valid = results.filter((r) => r.ok).length;
    return { count: results.length, valid, invalid: results.length - valid, results };
  }

  @Post('encode')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Build a code from its fields (24-character original or 19-character cascade form)',
    description:
      'Each part is checked as decoding checks it: a wrong part is a 422 `INVALID_BATTERY_CODE` with one detail per position error, `path` naming the field.',
    security: NO_KEY,
  })
  @ApiOkResponse({ type: DecodedCodeView })
  @ApiErrors(400, 422)
  encode(@Body() dto: EncodeRequestDto): DecodedBatteryCode {
    const result = encodeFields(dto);
    if (result.ok) return result.code;
    const errors = result.errors;
    throw new DomainException(
      CodesErrorCode.INVALID_BATTERY_CODE,
      'invalid',
      `The fields do not make a valid GB/T 34014 code (${result.normalised || '?'}): ${errors.map((e) => e.message).join('; ')}`,
      errors.map((e) => codeErrorDetail(FIELD_OF_SEGMENT[e.segment], e)),
      { input: result.normalised || '?' },
    );
  }

  @Get(':code')
  @ApiOperation({ summary: 'Decode one code', description: 'A 422 `INVALID_BATTERY_CODE` lists every position error in `details`.', security: NO_KEY })
  @ApiParam(CODE_PARAM)
  @ApiOkResponse({ type: DecodedCodeView })
  @ApiErrors(422)
  decode(@Param('code') code: string): DecodedBatteryCode {
    return decodeOrThrow(code);
  }

  @Get(':code/barcode')
  @Header('Cache-Control', 'public, max-age=86400')
  @ApiOperation({
    summary: 'The code as a label barcode (Code 128, QR or Data Matrix; SVG or PNG)',
    description: 'Encodes the normalised code.',
    security: NO_KEY,
  })
  @ApiParam(CODE_PARAM)
  @ApiProduces('image/svg+xml', 'image/png')
  @ApiOkResponse({
    description: 'The barcode image',
    content: { 'image/svg+xml': { schema: { type: 'string' } }, 'image/png': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiErrors(422)
  async barcode(@Param('code') code: string, @Query() query: BarcodeQuery): Promise<StreamableFile> {
    const decoded = decodeOrThrow(code);
    let image;
    try {
      image = await renderBarcode(decoded.code, query.symbology, query.format, query.scale);
    } catch (error) {
      throw CodesErrors.barcodeFailed(query.symbology, String((error as Error)?.message ?? error));
    }
    return new StreamableFile(image.body, {
      type: image.contentType,
      length: image.body.length,
      disposition: `inline; filename="${decoded.code}-${query.symbology}.${query.format}"`,
    });
  }
}

function decodeOrThrow(input: string): DecodedBatteryCode {
  const result = parse(input, { now: new Date() });
  if (!result.ok) throw CodesErrors.invalidCode(input, result.errors);
  return result.code;
}

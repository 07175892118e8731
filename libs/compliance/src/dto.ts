import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsString, Length, Matches } from 'class-validator';

export class CalendarYearDto {
  @ApiProperty({ type: [String], description: 'Days off (YYYY-MM-DD) of the year, as in the State Council notice', example: ['2027-01-01'] })
  @IsArray()
  @ArrayMaxSize(120)
  @IsString({ each: true })
  holidays: string[];

  @ApiProperty({ type: [String], description: 'Saturdays and Sundays that are working days (调休)', example: ['2027-02-20'] })
  @IsArray()
  @ArrayMaxSize(30)
  @IsString({ each: true })
  workdays: string[];

  @ApiProperty({ description: 'Where the schedule comes from (the notice’s number or URL)', example: '国办发明电〔2026〕7号' })
  @IsString()
  @Length(1, 500)
  source: string;
}

export class CalendarYearParams {
  @ApiProperty({ example: '2027' })
  @Matches(/^(20\d\d|2100)$/, { message: 'year must be a year from 2000 to 2100' })
  year: string;
}

export class CalendarCoverageYear {
  @ApiProperty() year: number;
  @ApiProperty({ description: 'chinese-days 1.5.7, or an operator’s schedule and its revision' }) source: string;
}

export class CalendarCoverageView {
  @ApiProperty({ type: [CalendarCoverageYear], description: 'Years the working-day calendar covers; a deadline counted through any other year is pending' })
  years: CalendarCoverageYear[];
}

export class CalendarYearView {
  @ApiProperty() year: number;
  @ApiProperty() revision: number;
  @ApiProperty() source: string;
}

/**
 * Where a generated login comes from: one city's location record (`request.geoip`: city, country code, code3 and
 * name, continent, coordinates, subdivision, time zone), so that a rule reading two of them never sees London in
 * Japan. A record is picked among those matching a value the rules compare a geoip field with (a country code, a
 * country or city name, a continent, a time zone), or among all; a country code the rules name that no record has
 * gets a record of its own with the country alone, as Auth0 sends when it knows no more.
 */
import fc from "fast-check"
import type { RuleReads } from "./ruleReads.ts"

export interface Location {
  readonly cityName?: string
  readonly continentCode?: string
  readonly countryCode: string
  readonly countryCode3?: string
  readonly countryName?: string
  readonly latitude?: number
  readonly longitude?: number
  readonly subdivisionCode?: string
  readonly subdivisionName?: string
  readonly timeZone?: string
}

const record = (
  cityName: string,
  [countryCode, countryCode3, countryName, continentCode]: readonly [string, string, string, string],
  [latitude, longitude]: readonly [number, number],
  [subdivisionCode, subdivisionName]: readonly [string, string],
  timeZone: string
): Location => ({
  cityName,
  continentCode,
  countryCode,
  countryCode3,
  countryName,
  latitude,
  longitude,
  subdivisionCode,
  subdivisionName,
  timeZone
})

const gb = ["GB", "GBR", "United Kingdom", "EU"] as const
const us = ["US", "USA", "United States", "NA"] as const

/** The records generated logins come from. */
export const records: ReadonlyArray<Location> = [
  record("London", gb, [51.5, -0.12], ["ENG", "England"], "Europe/London"),
  record("Edinburgh", gb, [55.95, -3.19], ["SCT", "Scotland"], "Europe/London"),
  record("New York", us, [40.71, -74.01], ["NY", "New York"], "America/New_York"),
  record("San Francisco", us, [37.77, -122.42], ["CA", "California"], "America/Los_Angeles"),
  record("Chicago", us, [41.88, -87.63], ["IL", "Illinois"], "America/Chicago"),
  record("Toronto", ["CA", "CAN", "Canada", "NA"], [43.65, -79.38], ["ON", "Ontario"], "America/Toronto"),
  record("Berlin", ["DE", "DEU", "Germany", "EU"], [52.52, 13.4], ["BE", "Berlin"], "Europe/Berlin"),
  record("Paris", ["FR", "FRA", "France", "EU"], [48.86, 2.35], ["IDF", "Île-de-France"], "Europe/Paris"),
  record("São Paulo", ["BR", "BRA", "Brazil", "SA"], [-23.55, -46.63], ["SP", "São Paulo"], "America/Sao_Paulo"),
  record("Mumbai", ["IN", "IND", "India", "AS"], [19.08, 72.88], ["MH", "Maharashtra"], "Asia/Kolkata"),
  record("Tokyo", ["JP", "JPN", "Japan", "AS"], [35.68, 139.69], ["13", "Tokyo"], "Asia/Tokyo"),
  record("Sydney", ["AU", "AUS", "Australia", "OC"], [-33.87, 151.21], ["NSW", "New South Wales"], "Australia/Sydney"),
  record("Johannesburg", ["ZA", "ZAF", "South Africa", "AF"], [-26.2, 28.05], ["GP", "Gauteng"], "Africa/Johannesburg")
]

// The geoip fields a rule may compare, as the event names them.
const fields = [
  "cityName",
  "continentCode",
  "countryCode",
  "countryCode3",
  "countryName",
  "subdivisionCode",
  "subdivisionName",
  "timeZone"
] as const

/** A location record: one matching what the rules compare geoip fields with (often), or any. */
export const arbitrary = (reads: RuleReads | undefined): fc.Arbitrary<Location> => {
  const compared = (field: string) => reads?.fields.get(`request.geoip.${field}`) ?? new Set<string>()
  const matching = records.filter((r) => fields.some((field) => compared(field).has(String(r[field]))))
  const unknown = [...compared("countryCode")].filter((code) => !records.some((r) => r.countryCode === code))
    .map((countryCode): Location => ({ countryCode }))
  const named = [...matching, ...unknown]
  const any = fc.constantFrom(...records)
  return named.length === 0 ? any : fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...named) }, any)
}

/** The sRGB profile of Debian's icc-profiles-free: what every thumbnail and variant is made in. */
export const SRGB_PROFILE = '/usr/share/color/icc/sRGB.icc'

/**
 * Makes an image sRGB at 8 bits a channel, then drops every profile (untagged is sRGB to every
 * reader). A tagged image (Adobe RGB, Display P3, CMYK) is converted with its own profile; on an
 * untagged one the profile is only assigned, and an untagged CMYK one is converted by formula,
 * as browsers show it.
 */
export const TO_SRGB = ['-profile', SRGB_PROFILE, '-colorspace', 'sRGB', '+profile', '*', '-depth', '8']

import type { SendStyle } from '../../../domain/message.js';

/**
 * Tapback's `send_style` values as Apple's expressive-send style ids, the `effectId` BlueBubbles
 * Server passes to Messages (`validators/messageValidator.ts`: an `effectId` makes the send go
 * through the Private API). The ids are the ones Messages stores in `expressiveSendStyleId`; the
 * names follow the BlueBubbles client app's effect table (`lib/helpers/types/constants.dart`
 * `effectMap`: "celebration" is the sparkles screen effect, "balloons" the happy-birthday one).
 */
export const BLUEBUBBLES_EFFECTS: Readonly<Record<SendStyle, string>> = {
  // Bubble effects.
  slam: 'com.apple.MobileSMS.expressivesend.impact',
  loud: 'com.apple.MobileSMS.expressivesend.loud',
  gentle: 'com.apple.MobileSMS.expressivesend.gentle',
  invisible: 'com.apple.MobileSMS.expressivesend.invisibleink',
  // Screen effects.
  echo: 'com.apple.messages.effect.CKEchoEffect',
  spotlight: 'com.apple.messages.effect.CKSpotlightEffect',
  balloons: 'com.apple.messages.effect.CKHappyBirthdayEffect',
  confetti: 'com.apple.messages.effect.CKConfettiEffect',
  love: 'com.apple.messages.effect.CKHeartEffect',
  lasers: 'com.apple.messages.effect.CKLasersEffect',
  fireworks: 'com.apple.messages.effect.CKFireworksEffect',
  shooting_star: 'com.apple.messages.effect.CKShootingStarEffect',
  celebration: 'com.apple.messages.effect.CKSparklesEffect',
};

/** The effect id for a message's send style; undefined for none. */
export function effectIdOf(style: SendStyle | ''): string | undefined {
  return style === '' ? undefined : BLUEBUBBLES_EFFECTS[style];
}

/** The send style of an expressive-send id Messages reported (inbound messages); '' for none or unknown. */
export function sendStyleOf(effectId: string | null | undefined): SendStyle | '' {
  if (!effectId) return '';
  for (const [style, id] of Object.entries(BLUEBUBBLES_EFFECTS)) if (id === effectId) return style as SendStyle;
  return '';
}

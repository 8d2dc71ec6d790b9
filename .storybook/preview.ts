/// <reference types="vite/client" />
import { setCustomElementsManifest, type Decorator, type Preview } from '@storybook/web-components-vite';
// Generated and gitignored (`npm run analyze`; .storybook/main.ts makes it when missing). Read as
// text, so that type-checking does not need the file to exist.
import manifestText from '../custom-elements.json?raw';

interface Manifest {
  modules: Array<{ declarations?: Array<{ slots?: Array<{ name: string }> }> }>;
}

/**
 * The Docs page of each widget lists its attributes, properties, events, slots, parts and CSS
 * properties from custom-elements.json. Storybook leaves out unnamed items, so the default slot
 * (the inline `<script type="application/json">` contract) is shown under the name `default`.
 */
const manifest = JSON.parse(manifestText) as Manifest;
for (const declaration of manifest.modules.flatMap((mod) => mod.declarations ?? [])) {
  for (const slot of declaration.slots ?? []) slot.name ||= 'default';
}
setCustomElementsManifest(manifest);

/**
 * Page background and colour scheme follow the theme in force (a story's `theme` arg, else the
 * toolbar), so a dark widget sits on a dark page as it would in a host app.
 */
const withPageTheme: Decorator = (story, context) => {
  const theme = (context.args as { theme?: string }).theme ?? context.globals.theme;
  const dark = theme === 'dark';
  document.documentElement.style.colorScheme = dark ? 'dark' : 'light';
  document.body.style.background = dark ? '#0d0f12' : '#f5f7fa';
  document.body.style.color = dark ? '#e6e8eb' : '#1f2933';
  return story();
};

const preview: Preview = {
  tags: ['autodocs'],
  parameters: {
    layout: 'padded',
    controls: { expanded: true, sort: 'requiredFirst' },
  },
  globalTypes: {
    theme: {
      description: 'Widget theme (the `theme` attribute)',
      toolbar: {
        title: 'Theme',
        icon: 'contrast',
        items: [
          { value: 'light', title: 'Light', icon: 'sun' },
          { value: 'dark', title: 'Dark', icon: 'moon' },
        ],
        dynamicTitle: true,
      },
    },
    locale: {
      description: 'Widget locale (the `locale` property): words and number formats',
      toolbar: {
        title: 'Locale',
        icon: 'globe',
        items: [
          { value: 'en', title: 'English (en)', right: 'en' },
          { value: 'zh-CN', title: '中文 (zh-CN)', right: 'zh-CN' },
        ],
        dynamicTitle: true,
      },
    },
  },
  initialGlobals: { theme: 'light', locale: 'en' },
  decorators: [withPageTheme],
};

export default preview;

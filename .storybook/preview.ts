import type { Decorator, Preview } from '@storybook/web-components-vite';

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
